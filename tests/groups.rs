//! `Plan::groups` against a naive split: every selected function's points,
//! in their original order, for sizes around tile boundaries, many index
//! distributions, selections, tile lengths and thread counts; and
//! `Groups::apply_into` bitwise equal to the naive loop, the selected
//! functions' values taken from the caller's results.

mod common;

use common::{DISTS, assert_bitwise_eq, indices, reference, rng};
use rand::RngExt;
use splitapply::kernels::{Affine, Exp, Sqrt};
use splitapply::{Engine, Error, FuncTable, Plan};

/// A table of `k` kernels of three types.
fn table(k: usize) -> FuncTable<f64> {
    let mut t = FuncTable::with_capacity(k);
    for j in 0..k {
        match j % 3 {
            0 => t.push(Affine::new(j as f64 + 0.5, -1.0)),
            1 => t.push(Exp::new()),
            _ => t.push(Sqrt::new()),
        };
    }
    t
}

/// Function `j`'s points of `x`, in order.
fn naive_group(idx: &[u32], x: &[f64], j: usize) -> Vec<f64> {
    idx.iter()
        .zip(x)
        .filter(|(i, _)| **i as usize == j)
        .map(|(_, v)| *v)
        .collect()
}

/// A value no kernel of [`table`] gives for the points used here: the
/// selected functions' results must come from the caller.
fn outside(v: f64, j: usize) -> f64 {
    -1e6 - v * 1000.0 - j as f64
}

#[test]
fn groups_hold_every_point_in_order_and_apply_into_matches_the_naive_loop() {
    let mut r = rng(23);
    let pools: Vec<rayon::ThreadPool> = [1, 3]
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
        .collect();
    for &k in &[1usize, 2, 7, 300, 5000] {
        let t = table(k);
        for &n in &[0usize, 1, 7, 64, 255, 256, 257, 1000, 4097, 20_011] {
            for dist in DISTS {
                let idx: Vec<u32> = indices(n, k, dist, &mut r)
                    .into_iter()
                    .map(|j| j as u32)
                    .collect();
                let x: Vec<f64> = (0..n).map(|_| r.random_range(0.1..3.0)).collect();
                // Nothing, everything, and a random half.
                let half: Vec<bool> = (0..k).map(|_| r.random_bool(0.5)).collect();
                let selections: [&dyn Fn(usize) -> bool; 3] = [&|_| false, &|_| true, &|j| half[j]];
                for (tile, pool) in [(256, &pools[0]), (256, &pools[1]), (4096, &pools[1])] {
                    let plan = Engine::new().tile_len(tile).plan(&idx, k).unwrap();
                    for (which, selected) in selections.iter().enumerate() {
                        let context =
                            format!("k {k}, n {n}, {dist:?}, tile {tile}, selection {which}");
                        let groups = plan.groups(selected);
                        let mut grouped = vec![f64::NAN; groups.len()];
                        pool.install(|| groups.gather(&x, &mut grouped)).unwrap();
                        let mut total = 0;
                        for j in 0..k {
                            let want = if selected(j) {
                                naive_group(&idx, &x, j)
                            } else {
                                Vec::new()
                            };
                            assert_eq!(
                                grouped[groups.range(j)],
                                want[..],
                                "{context}, function {j}"
                            );
                            total += want.len();
                        }
                        assert_eq!(groups.len(), total, "{context}");
                        // The same into a buffer per function.
                        let mut each: Vec<Vec<f64>> = groups
                            .iter()
                            .map(|(_, r)| vec![f64::NAN; r.len()])
                            .collect();
                        let mut slices: Vec<&mut [f64]> =
                            each.iter_mut().map(|v| v.as_mut_slice()).collect();
                        pool.install(|| groups.gather_each(&x, &mut slices))
                            .unwrap();
                        for ((_, range), got) in groups.iter().zip(&each) {
                            assert_eq!(got[..], grouped[range], "{context}");
                        }
                        let listed: Vec<usize> = groups.iter().map(|(j, _)| j).collect();
                        let nonempty: Vec<usize> =
                            (0..k).filter(|&j| !groups.range(j).is_empty()).collect();
                        assert_eq!(listed, nonempty, "{context}");

                        let mut results = vec![0.0; groups.len()];
                        for (j, range) in groups.iter() {
                            for (res, &v) in results[range.clone()].iter_mut().zip(&grouped[range])
                            {
                                *res = outside(v, j);
                            }
                        }
                        let mut want = reference(&t, &idx, &x);
                        for ((w, &j), &v) in want.iter_mut().zip(&idx).zip(&x) {
                            if selected(j as usize) {
                                *w = outside(v, j as usize);
                            }
                        }
                        let mut out = vec![f64::NAN; n];
                        pool.install(|| groups.apply_into(&t, &x, &results, &mut out))
                            .unwrap();
                        assert_bitwise_eq(&out, &want, &context);
                    }
                }
            }
        }
    }
}

#[test]
fn mismatched_lengths_are_refused_before_anything_is_written() {
    let t = table(3);
    let idx = [0u32, 1, 2, 1];
    let x = [1.0, 2.0, 3.0, 4.0];
    let plan = Plan::new(&idx, 3).unwrap();
    let groups = plan.groups(|j| j == 1);
    assert_eq!((groups.len(), groups.range(1)), (2, 0..2));
    assert!(groups.range(7).is_empty());
    assert!(std::ptr::eq(groups.plan(), &plan));
    // Offsets (k + 1), and a start per segment and per selected segment.
    let segments = 3; // one tile holding functions 0, 1 and 2
    let word = std::mem::size_of::<usize>();
    assert_eq!(groups.memory_bytes(), (3 + 1 + segments + 1) * word);
    assert_eq!(format!("{groups:?}"), "Groups { points: 2, functions: 1 }");
    assert!(plan.groups(|_| false).is_empty());

    let mut grouped = [9.0; 3];
    let err = groups.gather(&x, &mut grouped).unwrap_err();
    assert_eq!(
        err,
        Error::LengthMismatch {
            what: "grouped",
            expected: 2,
            actual: 3
        }
    );
    assert!(matches!(
        groups.gather(&x[..3], &mut grouped[..2]),
        Err(Error::PlanMismatch {
            what: "x length",
            planned: 4,
            actual: 3
        })
    ));
    assert_eq!(grouped, [9.0; 3]);

    let mut out = [7.0; 4];
    assert!(matches!(
        groups.apply_into(&t, &x, &[0.0; 3], &mut out),
        Err(Error::LengthMismatch {
            what: "results",
            expected: 2,
            actual: 3
        })
    ));
    assert!(matches!(
        groups.apply_into(&table(4), &x, &[0.0; 2], &mut out),
        Err(Error::PlanMismatch {
            what: "table length",
            ..
        })
    ));
    assert!(matches!(
        groups.apply_into(&t, &x, &[0.0; 2], &mut out[..3]),
        Err(Error::PlanMismatch {
            what: "out length",
            ..
        })
    ));
    assert_eq!(out, [7.0; 4]);

    // The per-function forms: one buffer per listed function, each as long
    // as its group.
    let mut one = [9.0; 2];
    let mut other = [9.0; 2];
    assert!(matches!(
        groups.gather_each(&x, &mut [&mut one[..], &mut other[..]]),
        Err(Error::LengthMismatch {
            what: "buffers",
            expected: 1,
            actual: 2
        })
    ));
    assert!(matches!(
        groups.gather_each(&x, &mut [&mut one[..1]]),
        Err(Error::LengthMismatch {
            expected: 2,
            actual: 1,
            ..
        })
    ));
    assert!(matches!(
        groups.gather_each(&x[..3], &mut [&mut one[..]]),
        Err(Error::PlanMismatch {
            what: "x length",
            ..
        })
    ));
    assert_eq!((one, other), ([9.0; 2], [9.0; 2]));
    let short = [0.0; 1];
    assert!(matches!(
        groups.apply_into_each(&t, &x, |_| &short[..], &mut out),
        Err(Error::LengthMismatch {
            what: "results",
            expected: 2,
            actual: 1
        })
    ));
    let right = [0.0; 2];
    assert!(matches!(
        groups.apply_into_each(&table(4), &x, |_| &right[..], &mut out),
        Err(Error::PlanMismatch {
            what: "table length",
            ..
        })
    ));
    assert_eq!(out, [7.0; 4]);
    // And with the right shapes, both work.
    groups.gather_each(&x, &mut [&mut one[..]]).unwrap();
    assert_eq!(one, [2.0, 4.0]);
    groups
        .apply_into_each(&t, &x, |_| &right[..], &mut out)
        .unwrap();
    let mut contiguous = [7.0; 4];
    groups.apply_into(&t, &x, &right, &mut contiguous).unwrap();
    assert_eq!(out, contiguous);
}
