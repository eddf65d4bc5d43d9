use super::*;
use crate::Engine;
use crate::kernels::Affine;

/// Every selection pattern on a small input with tiles of 3: groups
/// hold each function's points in order, and apply_into equals the
/// naive loop with the selected functions negated.
#[test]
fn groups_match_a_naive_split() {
    let idx: Vec<u32> = vec![2, 0, 1, 2, 2, 0, 3, 1, 2, 0, 0];
    let x: Vec<f64> = (0..idx.len()).map(|i| i as f64 + 0.5).collect();
    let k = 4;
    let mut table = FuncTable::<f64>::new();
    for j in 0..k {
        table.push(Affine::new(j as f64, 1.0));
    }
    let plan = Engine::new().tile_len(3).plan(&idx, k).unwrap();
    for mask in 0..(1u32 << k) {
        let chosen = |j: usize| mask & (1 << j) != 0;
        let groups = plan.groups(chosen);
        let mut grouped = vec![0.0; groups.len()];
        groups.gather(&x, &mut grouped).unwrap();
        for j in 0..k {
            let want: Vec<f64> = if chosen(j) {
                idx.iter()
                    .zip(&x)
                    .filter(|(i, _)| **i as usize == j)
                    .map(|(_, v)| *v)
                    .collect()
            } else {
                Vec::new()
            };
            assert_eq!(
                grouped[groups.range(j)],
                want[..],
                "mask {mask:b}, function {j}"
            );
        }
        let results: Vec<f64> = grouped.iter().map(|v| -v).collect();
        let mut out = vec![0.0; x.len()];
        groups.apply_into(&table, &x, &results, &mut out).unwrap();
        for (i, (&j, &v)) in idx.iter().zip(&x).enumerate() {
            let j = j as usize;
            let want = if chosen(j) {
                -v
            } else {
                (j as f64).mul_add(v, 1.0)
            };
            assert_eq!(out[i], want, "mask {mask:b}, point {i}");
        }
    }
}
