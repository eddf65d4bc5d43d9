//! Bad input is refused with a clear error, and the output is untouched.

use splitapply::kernels::{Affine, Clamp, Interp, Spline};
use splitapply::{Engine, Error, FuncTable, GroupingPath, Plan, Strategy, apply, apply_into};

const SENTINEL: f64 = -12345.0;

fn table(k: usize) -> FuncTable<f64> {
    let mut t = FuncTable::new();
    for j in 0..k {
        t.push(Affine::new(j as f64, 1.0));
    }
    t
}

/// Runs `apply_into` with every engine setting and thread count and checks
/// that each refuses the input with `want` and leaves `out` untouched.
fn refuses<I: splitapply::Index>(
    t: &FuncTable<f64>,
    idx: &[I],
    x: &[f64],
    out_len: usize,
    want: &Error,
) {
    for threads in 1..=3 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for tile in [0, 1, 64] {
            let mut out = vec![SENTINEL; out_len];
            let got = pool.install(|| Engine::new().tile_len(tile).apply_into(t, idx, x, &mut out));
            assert_eq!(got.as_ref(), Err(want), "threads={threads} tile={tile}");
            assert!(out.iter().all(|&v| v == SENTINEL), "out was written");
        }
    }
}

#[test]
fn index_too_large_names_position_and_value() {
    let mut idx = vec![1u32; 100_000];
    idx[77_777] = 3;
    idx[88_888] = 9;
    let want = Error::IndexOutOfRange {
        position: 77_777,
        value: 3,
        k: 3,
    };
    refuses(&table(3), &idx, &vec![1.0; idx.len()], idx.len(), &want);
    assert_eq!(
        want.to_string(),
        "function index at position 77777 is 3, but the table has only 3 functions (valid: 0..3)"
    );
}

#[test]
fn negative_index_is_refused() {
    for idx in [vec![0i64, 1, -1, 0], vec![0, 1, i64::MIN, 0]] {
        let want = Error::IndexOutOfRange {
            position: 2,
            value: idx[2] as i128,
            k: 2,
        };
        refuses(&table(2), &idx, &[1.0; 4], 4, &want);
    }
    let idx = vec![0i32, -5];
    let err = apply(&table(2), &idx, &[1.0, 2.0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "function index at position 1 is negative (-5); indices must be in 0..2"
    );
}

#[test]
fn length_mismatches_are_refused() {
    let idx = vec![0u8; 10];
    refuses(
        &table(1),
        &idx,
        &[1.0; 9],
        10,
        &Error::LengthMismatch {
            what: "x",
            expected: 10,
            actual: 9,
        },
    );
    refuses(
        &table(1),
        &idx,
        &[1.0; 10],
        11,
        &Error::LengthMismatch {
            what: "out",
            expected: 10,
            actual: 11,
        },
    );
    let err = apply(&table(1), &idx, &[1.0; 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "length mismatch: `x` has 3 elements, expected 10"
    );
}

#[test]
fn empty_table_with_input_is_refused() {
    refuses(
        &table(0),
        &[0u32; 5],
        &[1.0; 5],
        5,
        &Error::EmptyTable { len: 5 },
    );
    assert_eq!(
        Plan::new(&[0u32; 5], 0).unwrap_err(),
        Error::EmptyTable { len: 5 }
    );
    // Empty input is fine, even with an empty table.
    assert_eq!(
        apply(&table(0), &[] as &[u32], &[]).unwrap(),
        Vec::<f64>::new()
    );
    let mut out: [f64; 0] = [];
    apply_into(&table(0), &[] as &[i64], &[], &mut out).unwrap();
}

/// A plan numbers functions with u32: more is an error, not a wrap.
#[test]
#[cfg(target_pointer_width = "64")]
fn plan_refuses_more_functions_than_it_numbers() {
    let k = u32::MAX as usize + 1;
    let err = Plan::new(&[] as &[u64], k).unwrap_err();
    assert_eq!(
        err,
        Error::TooManyFunctions {
            k,
            max: u32::MAX as usize
        }
    );
    assert_eq!(
        err.to_string(),
        "a plan supports at most 4294967295 functions, got 4294967296"
    );
}

#[test]
fn plan_refuses_bad_indices_and_mismatched_shapes() {
    let err = Plan::new(&[0u16, 4, 1], 4).unwrap_err();
    assert_eq!(
        err,
        Error::IndexOutOfRange {
            position: 1,
            value: 4,
            k: 4
        }
    );
    let plan = Plan::new(&[0u16, 1, 1], 2).unwrap();
    let t = table(2);
    let mut out = vec![SENTINEL; 3];
    let cases = [
        (
            plan.apply_into(&table(3), &[1.0; 3], &mut out),
            "table length",
            2,
            3,
        ),
        (plan.apply_into(&t, &[1.0; 4], &mut out), "x length", 3, 4),
    ];
    for (got, what, planned, actual) in cases {
        assert_eq!(
            got,
            Err(Error::PlanMismatch {
                what,
                planned,
                actual
            })
        );
    }
    let mut short = vec![SENTINEL; 2];
    assert_eq!(
        plan.apply_into(&t, &[1.0; 3], &mut short),
        Err(Error::PlanMismatch {
            what: "out length",
            planned: 3,
            actual: 2
        })
    );
    assert!(out.iter().chain(&short).all(|&v| v == SENTINEL));
    assert_eq!(
        plan.apply(&t, &[1.0; 2]).unwrap_err().to_string(),
        "plan mismatch: the plan was built for x length 3, but got 2"
    );
}

#[test]
fn kernel_constructors_validate() {
    let cases: Vec<(Result<Interp<f64>, Error>, &str)> = vec![
        (Interp::new(vec![], vec![]), "at least one knot"),
        (
            Interp::new(vec![0.0, 1.0], vec![1.0]),
            "2 knots but 1 values",
        ),
        (
            Interp::new(vec![0.0, 0.0], vec![1.0, 2.0]),
            "strictly increasing",
        ),
        (
            Interp::new(vec![1.0, 0.0], vec![1.0, 2.0]),
            "strictly increasing",
        ),
        (
            Interp::new(vec![0.0, f64::NAN], vec![1.0, 2.0]),
            "knot 1 is NaN",
        ),
        (
            Interp::new(vec![0.0, f64::INFINITY], vec![1.0, 2.0]),
            "knot 1 is inf",
        ),
        (
            Interp::new(vec![0.0, 1.0], vec![1.0, f64::NAN]),
            "value 1 is NaN",
        ),
    ];
    for (got, needle) in cases {
        let msg = got.unwrap_err().to_string();
        assert!(msg.starts_with("invalid parameter for Interp: "), "{msg}");
        assert!(msg.contains(needle), "{msg} should mention {needle}");
    }
    assert!(Interp::new(vec![2.0], vec![5.0]).is_ok());
    let spline_cases: Vec<(Result<Spline<f64>, Error>, &str)> = vec![
        (Spline::new(vec![0.0], vec![]), "at least two breaks"),
        (
            Spline::new(vec![0.0, 1.0, 2.0], vec![0.0; 4]),
            "need 4 x 2 = 8 coefficients, got 4",
        ),
        (
            Spline::new(vec![0.0, 2.0, 1.0], vec![0.0; 8]),
            "non-decreasing, but break 1 (2) > break 2 (1)",
        ),
        (
            Spline::new(vec![0.0, f64::NAN], vec![0.0; 4]),
            "break 1 is NaN",
        ),
        (
            Spline::new(vec![0.0, 1.0, 2.0], {
                let mut c = vec![0.0; 8];
                c[5] = f64::INFINITY;
                c
            }),
            "coefficient c[2, 1] is inf",
        ),
    ];
    for (got, needle) in spline_cases {
        let msg = got.unwrap_err().to_string();
        assert!(msg.starts_with("invalid parameter for Spline: "), "{msg}");
        assert!(msg.contains(needle), "{msg} should mention {needle}");
    }
    // Repeated breaks (zero-width pieces) are allowed, as PPoly allows them.
    assert!(Spline::new(vec![0.0, 0.0, 1.0, 1.0], vec![0.0; 12]).is_ok());
    assert!(
        Clamp::new(f64::NAN, 1.0)
            .unwrap_err()
            .to_string()
            .contains("NaN")
    );
    assert!(
        Clamp::new(2.0, 1.0)
            .unwrap_err()
            .to_string()
            .contains("lo must be <= hi")
    );
    assert!(Clamp::new(1.0, 1.0).is_ok());
}

/// A forced grouping path this CPU lacks is refused with nothing written
/// (on aarch64 every x86 path; on x86-64, whichever the CPU lacks); the
/// portable path is always there, and a path the CPU has gives the portable
/// path's bits.
#[test]
fn a_grouping_path_the_cpu_lacks_is_refused() {
    let t = table(5);
    let idx: Vec<u32> = (0..1000).map(|i| (i * 7 % 5) as u32).collect();
    let x: Vec<f64> = (0..1000).map(|i| i as f64 * 0.01).collect();
    assert!(GroupingPath::Portable.is_available());
    let mut want = vec![SENTINEL; x.len()];
    // Bucketed: five functions go through the partition passes.
    Engine::new()
        .strategy(Strategy::Bucket)
        .grouping_path(GroupingPath::Portable)
        .apply_into(&t, &idx, &x, &mut want)
        .unwrap();
    for path in [GroupingPath::Avx2, GroupingPath::Avx512] {
        let mut out = vec![SENTINEL; x.len()];
        let got = Engine::new()
            .strategy(Strategy::Bucket)
            .grouping_path(path)
            .apply_into(&t, &idx, &x, &mut out);
        if path.is_available() {
            assert_eq!(got, Ok(()), "{path:?}");
            assert_eq!(out, want, "{path:?} differs from the portable path");
        } else {
            assert_eq!(got, Err(Error::GroupingPathUnavailable { path }));
            assert!(
                out.iter().all(|&v| v == SENTINEL),
                "{path:?}: out was written"
            );
            assert!(!GroupingPath::available().contains(&path));
        }
    }
}

#[test]
fn errors_are_std_errors() {
    fn takes(_: &dyn std::error::Error) {}
    takes(&Error::EmptyTable { len: 1 });
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::EmptyTable { len: 1 });
    assert_eq!(
        boxed.to_string(),
        "the function table is empty but there are 1 points to evaluate"
    );
}
