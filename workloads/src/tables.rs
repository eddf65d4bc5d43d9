//! The function tables of the workloads, each with its per-element `dyn Fn`
//! twins: the same expressions, boxed, as a user would write them.

use splitapply::FuncTable;
use splitapply::kernels::{Affine, Exp, Poly, Sqrt};

/// A per-element boxed closure, the obvious Rust answer.
pub type DynFn = Box<dyn Fn(f64) -> f64 + Send + Sync>;

/// W1: f_j(x) = j * x as closures, in both forms.
pub fn linear_closures(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        table.push_fn(move |x: f64| j as f64 * x);
        boxed.push(Box::new(move |x: f64| j as f64 * x));
    }
    (table, boxed)
}

/// W1a: the same functions as built-in `Affine(j, 0)`.
pub fn linear_affine(k: usize) -> FuncTable<f64> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        table.push(Affine::new(j as f64, 0.0));
    }
    table
}

/// The degree-8 polynomial of W2 for function `j`.
pub fn w2_coeffs(j: usize) -> Vec<f64> {
    (0..9).map(|d| 1.0 / ((d + 1 + j % 7) as f64)).collect()
}

/// W2: even functions are `Exp`, odd ones a degree-8 `Poly`; the `dyn Fn`
/// twins call std `exp` and a scalar Horner loop.
pub fn exp_poly(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        if j % 2 == 0 {
            table.push(Exp::new());
            boxed.push(Box::new(f64::exp));
        } else {
            let c = w2_coeffs(j);
            table.push(Poly::new(c.clone()));
            boxed.push(Box::new(move |x: f64| {
                c.iter()
                    .rev()
                    .skip(1)
                    .fold(c[c.len() - 1], |acc, &ci| acc.mul_add(x, ci))
            }));
        }
    }
    (table, boxed)
}

/// How far W4's built-in `Poly` may differ from its closure twin, which
/// uses `f64::mul_add`: bitwise when the build has FMA; without it `wide`
/// rounds the multiply and the add separately.
pub const W4_MAX_REL: f64 = if cfg!(target_feature = "fma") {
    0.0
} else {
    4.0 * f64::EPSILON
};

/// W4: a two-piece function, `1 - x^2/2` below 0.5 and `x/2 + 0.5` above,
/// as built-in `Poly` and `Affine` and as closures.
pub fn piecewise() -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::new();
    table.push(Poly::new(vec![1.0, 0.0, -0.5]));
    table.push(Affine::new(0.5, 0.5));
    let boxed: Vec<DynFn> = vec![
        Box::new(|x: f64| (-0.5f64).mul_add(x, 0.0).mul_add(x, 1.0)),
        Box::new(|x: f64| x.mul_add(0.5, 0.5)),
    ];
    (table, boxed)
}

/// W4c: the same two pieces as closures; the engine sees two opaque
/// functions it may not evaluate speculatively.
pub fn piecewise_closures() -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::new();
    table.push_fn(|x: f64| (-0.5f64).mul_add(x, 0.0).mul_add(x, 1.0));
    table.push_fn(|x: f64| x.mul_add(0.5, 0.5));
    let (_, boxed) = piecewise();
    (table, boxed)
}

/// W8: `k` closures of 8 distinct shapes of cheap arithmetic (a product, a
/// sum, a quotient, a min, a square root, an absolute value, two short
/// polynomials), function `j` having shape `j % 8` and parameter `a_j`.
/// Each shape is its own closure type, so a table of them has 8 codes.
pub fn eight_shapes(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        let a = 0.5 + (j / 8) as f64 / 64.0;
        // Each arm pushes the same expression to both forms.
        macro_rules! both {
            ($f:expr) => {{
                table.push_fn($f);
                boxed.push(Box::new($f));
            }};
        }
        match j % 8 {
            0 => both!(move |x: f64| a * x),
            1 => both!(move |x: f64| x + a),
            2 => both!(move |x: f64| a / (1.0 + x)),
            3 => both!(move |x: f64| x.min(a)),
            4 => both!(move |x: f64| (x + a).sqrt()),
            5 => both!(move |x: f64| (x - a).abs()),
            6 => both!(move |x: f64| a * x * x + x),
            _ => both!(move |x: f64| (a - x) * (a + x)),
        }
    }
    (table, boxed)
}

/// W9: even functions are `Exp`, odd ones `Sqrt`: two kernel types without
/// parameters, however many functions.
pub fn exp_sqrt(k: usize) -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(k);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(k);
    for j in 0..k {
        if j % 2 == 0 {
            table.push(Exp::new());
            boxed.push(Box::new(f64::exp));
        } else {
            table.push(Sqrt::new());
            boxed.push(Box::new(f64::sqrt));
        }
    }
    (table, boxed)
}
