//! scratch
use splitapply::Kernel;
use splitapply::kernels::*;
use std::time::Instant;
fn bench<T: splitapply::Float>(name: &str, k: &dyn Kernel<T>) {
    let n = 2048;
    let src: Vec<T> = (0..n)
        .map(|i| T::from_f64(0.1 + (i as f64) / n as f64))
        .collect();
    let mut dst = src.clone();
    let mut best = f64::INFINITY;
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..300 {
            k.eval(&src, &mut dst);
            std::hint::black_box(&mut dst);
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / (300 * n) as f64);
    }
    let mut best2 = f64::INFINITY;
    let mut seg = src.clone();
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..300 {
            for c in seg.chunks_mut(37) {
                k.eval_in_place(c);
            }
            std::hint::black_box(&mut seg);
        }
        best2 = best2.min(t.elapsed().as_secs_f64() * 1e9 / (300 * n) as f64);
    }
    print!("{name} {best:.3}/{best2:.3}  ");
}
fn main() {
    bench::<f64>("exp", &Exp);
    bench::<f64>("ln", &Ln);
    bench::<f64>("sin", &Sin);
    bench::<f64>("pow", &Pow::new(2.5));
    bench::<f64>("logistic", &Logistic);
    bench::<f64>("sqrt", &Sqrt);
    bench::<f64>("poly8", &Poly::new(vec![0.5; 9]));
    bench::<f64>(
        "interp",
        &Interp::new(vec![0.0, 0.5, 1.0, 2.0], vec![1.0, 2.0, 0.0, 3.0]).unwrap(),
    );
    println!();
    bench::<f32>("exp32", &Exp);
    bench::<f32>("sin32", &Sin);
    bench::<f32>("poly8_32", &Poly::new(vec![0.5f32; 9]));
    println!();
}
