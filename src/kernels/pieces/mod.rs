//! Finding each point's piece, and gathering that piece's values, for the
//! piecewise kernels (`Spline`, `Interp`).
//!
//! A table has `K` pieces and `K - 1` strictly increasing *thresholds*:
//! a point `t` belongs to piece
//!
//! ```text
//! piece(t) = #{ k : threshold[k] <= t }        (any piece for NaN)
//! ```
//!
//! and each piece has `C` values (its columns: a spline's break and four
//! coefficients). The kernels map their own rules onto this one (PPoly's
//! zero-width pieces, which it never chooses, are left out of the table).
//!
//! For each vector of points:
//!
//! ```text
//! guess  = grid.start[bucket(t)]              (grid.rs: O(1), a lower bound)
//! repeat grid.steps times:                    (the exact count, by construction)
//!     guess += (next[guess] <= t)             (next[i] = threshold[i], NaN at the end)
//! values = columns[r][guess] for each column r
//! ```
//!
//! Four ways to run it, one chosen when the table is built, all giving
//! the same piece and so the same bits:
//!
//! - **portable** (every target, Miri): the guess and the steps per lane
//!   in scalar code, the values assembled into vectors;
//! - **blend** (every target, few pieces): each threshold a lane has
//!   reached replaces the values chosen so far, all lanes at once in
//!   vector registers (the thresholds increase, so the last one reached
//!   wins; NaN lanes end on the last piece);
//! - **registers** (x86-64 with AVX-512, at most 16 pieces in f64, 32 in
//!   f32): every column held in two vector registers, each lookup one
//!   two-register permute (`avx512/`);
//! - **gather** (x86-64 with AVX-512, more pieces): each lookup one
//!   hardware gather, and most points' pieces found without the steps:
//!   by arithmetic on evenly spaced thresholds (`uniform.rs`), else by one
//!   packed entry per bucket (`entries.rs`; see `avx512/`).
//!
//! Grids whose steps would be many (thresholds bunched far more tightly
//! in some places than others) use a branch-free binary search per lane
//! instead.
//!
//! The kernel's own arithmetic runs on [`Float::Wide`] vectors in every
//! path: it gets the points and the piece values and returns the results.

mod grid;
mod table;

#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod entries;
#[cfg(target_arch = "x86_64")]
mod gather_tables;
#[cfg(target_arch = "x86_64")]
mod uniform;

use crate::float::{Float, FloatVector, MAX_LANES, for_each_padded, for_each_padded_into};
use grid::{Grid, MAX_STEPS};
pub(crate) use table::{Method, Pieces};

/// [`Method::Blend`] handles tables of at most this many values (pieces
/// times one more than the columns) per lane of a wide vector: there a
/// compare and a blend per column for every threshold cost fewer
/// instructions than finding each lane's piece alone.
const BLEND_MAX_VALUES_PER_LANE: usize = 6;

impl<T: Float, const C: usize> Pieces<T, C> {
    /// The table of `columns.len()` pieces separated by `thresholds`
    /// (strictly increasing, finite, one fewer than the pieces), with the
    /// fastest method this CPU offers.
    ///
    /// # Panics
    /// If the columns are empty or of different lengths, or the
    /// thresholds are not one fewer than the pieces.
    pub(crate) fn new(thresholds: &[T], columns: [Vec<T>; C]) -> Self {
        let method = Self::methods(thresholds.len() + 1)
            .into_iter()
            .next()
            .expect("the portable method is always offered");
        Self::with_method(thresholds, columns, method)
    }

    /// The methods this CPU offers for a table of `pieces` pieces, fastest
    /// first; the last is always [`Method::Portable`].
    pub(crate) fn methods(pieces: usize) -> Vec<Method> {
        let mut methods = Vec::new();
        #[cfg(target_arch = "x86_64")]
        if avx512::available() {
            if pieces <= avx512::register_pieces::<T>() {
                methods.push(Method::Registers);
            }
            methods.push(Method::Gather);
        }
        if pieces * (C + 1) <= BLEND_MAX_VALUES_PER_LANE * T::WIDE_LANES {
            methods.push(Method::Blend);
        }
        methods.push(Method::Portable);
        methods
    }

    /// [`Pieces::new`] with a given method, which must be one of
    /// [`Pieces::methods`]; a grid that needs many steps turns
    /// [`Method::Portable`] and [`Method::Gather`] into [`Method::Search`].
    pub(crate) fn with_method(thresholds: &[T], columns: [Vec<T>; C], method: Method) -> Self {
        let pieces = thresholds.len() + 1;
        assert!(
            columns.iter().all(|c| c.len() == pieces),
            "one more piece than thresholds"
        );
        assert!(
            Self::methods(pieces).contains(&method),
            "{method:?} is not offered for {pieces} pieces"
        );
        let mut next = thresholds.to_vec();
        next.push(T::from_f64(f64::NAN));
        #[cfg(target_arch = "x86_64")]
        let mut gather = None;
        let grid = match method {
            // The register method holds the start table in one register
            // pair, so its grid has one bucket per gap; its steps are cheap.
            #[cfg(target_arch = "x86_64")]
            Method::Registers => Grid::new(thresholds, 1),
            #[cfg(target_arch = "x86_64")]
            Method::Gather => {
                let (grid, tables) = gather_tables::GatherTables::new(thresholds, &columns);
                gather = Some(tables);
                grid
            }
            Method::Portable | Method::Search => Grid::cheapest(thresholds),
            // The blend needs no grid.
            Method::Blend => Grid::new(&[], 1),
        };
        // Many steps give way to a binary search, but in registers, where
        // a step is cheap.
        match grid.filter(|g| g.steps() <= MAX_STEPS || method != Method::Portable) {
            Some(grid) => Pieces {
                grid,
                next,
                columns,
                method,
                #[cfg(target_arch = "x86_64")]
                gather,
            },
            None => Pieces {
                grid: Grid::new(&[], 1).expect("an empty grid"),
                next,
                columns,
                method: Method::Search,
                #[cfg(target_arch = "x86_64")]
                gather: None,
            },
        }
    }

    /// The method this table uses.
    #[cfg(test)]
    pub(crate) fn method(&self) -> Method {
        self.method
    }

    /// The number of pieces.
    pub(crate) fn len(&self) -> usize {
        self.next.len()
    }

    /// The piece of `t`, by the grid and its steps, or by binary search
    /// (where the table has no grid).
    #[inline(always)]
    pub(crate) fn piece(&self, t: T) -> usize {
        if matches!(self.method, Method::Search | Method::Blend) {
            return self.searched(t);
        }
        let mut i = self.grid.start(self.grid.bucket(t));
        for _ in 0..self.grid.steps() {
            i += usize::from(self.next[i] <= t);
        }
        i
    }

    /// The piece of `t` by a binary search over the thresholds whose
    /// steps are conditional moves (random points would mispredict a
    /// branch at about half the steps).
    #[inline(always)]
    fn searched(&self, t: T) -> usize {
        // Invariant: the answer is in base..base + size.
        let mut base = 0;
        let mut size = self.next.len();
        while size > 1 {
            let half = size / 2;
            let mid = base + half;
            base = std::hint::select_unpredictable(self.next[mid - 1] <= t, mid, base);
            size -= half;
        }
        base
    }

    /// The values of each lane's piece by [`Method::Blend`].
    #[inline(always)]
    fn values_blended(&self, t: T::Wide) -> [T::Wide; C] {
        let mut chosen: [T::Wide; C] = std::array::from_fn(|r| T::splat_wide(self.columns[r][0]));
        for (i, &threshold) in self.next[..self.len() - 1].iter().enumerate() {
            let at = T::splat_wide(threshold);
            for (r, value) in chosen.iter_mut().enumerate() {
                *value = t.select_lt(at, *value, T::splat_wide(self.columns[r][i + 1]));
            }
        }
        chosen
    }

    /// The values of each lane's piece, as wide vectors, by the portable
    /// methods.
    #[inline(always)]
    fn values(&self, lanes: &[T]) -> [T::Wide; C] {
        if self.method == Method::Blend {
            self.values_blended(T::load_wide(lanes))
        } else {
            self.values_portable(lanes)
        }
    }

    /// The values of each lane's piece, as wide vectors.
    #[inline(always)]
    fn values_portable(&self, lanes: &[T]) -> [T::Wide; C] {
        let mut piece = [0usize; MAX_LANES];
        for (p, &t) in piece.iter_mut().zip(lanes) {
            *p = self.piece(t);
        }
        std::array::from_fn(|r| {
            let column = &self.columns[r];
            let values: [T; MAX_LANES] = std::array::from_fn(|l| {
                if l < T::WIDE_LANES {
                    column[piece[l]]
                } else {
                    T::ZERO
                }
            });
            T::load_wide(&values[..T::WIDE_LANES])
        })
    }

    /// Replaces each point `t` of `xs` with `finish(t, values of its
    /// piece)`, a wide vector at a time (tails padded).
    #[inline(always)]
    pub(crate) fn eval_in_place(
        &self,
        xs: &mut [T],
        finish: impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
    ) {
        #[cfg(target_arch = "x86_64")]
        if avx512::eval_in_place(self, xs, &finish) {
            return;
        }
        for_each_padded(xs, T::WIDE_LANES, |lanes| {
            let values = self.values(lanes);
            T::store_wide(finish(T::load_wide(lanes), values), lanes)
        });
    }

    /// [`Pieces::eval_in_place`] from `src` into `dst` (equal lengths):
    /// the same vectors, so the same bits.
    #[inline(always)]
    pub(crate) fn eval(
        &self,
        src: &[T],
        dst: &mut [T],
        finish: impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
    ) {
        assert_eq!(src.len(), dst.len(), "eval needs equal lengths");
        #[cfg(target_arch = "x86_64")]
        if avx512::eval(self, src, dst, &finish) {
            return;
        }
        for_each_padded_into(src, dst, T::WIDE_LANES, |s, d| {
            let values = self.values(s);
            T::store_wide(finish(T::load_wide(s), values), d)
        });
    }

    /// The first value of each column, for prefetch hints.
    pub(crate) fn prefetch(&self) {
        for column in &self.columns {
            if let Some(v) = column.first() {
                crate::prefetch::prefetch(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive rule: how many thresholds are `<= t`.
    fn naive<T: Float>(thresholds: &[T], t: T) -> usize {
        thresholds.iter().filter(|&&b| b <= t).count()
    }

    /// Thresholds of several shapes: uniform, graded, clustered, tiny
    /// and huge counts.
    fn shapes() -> Vec<Vec<f64>> {
        let mut shapes = vec![vec![], vec![0.5], vec![-1.0, 3.0]];
        for n in [2usize, 7, 15, 16, 31, 32, 33, 100, 127, 128, 1000] {
            shapes.push((0..n).map(|i| 0.1 + 2.0 * i as f64 / n as f64).collect());
            shapes.push((0..n).map(|i| -3.0 + (i as f64).powf(1.7) * 0.01).collect());
            shapes.push(
                (0..n)
                    .map(|i| 0.25 + 1.5 * (i as f64 * 0.618_033_988_749_895).fract())
                    .scan(0.0, |at, w| {
                        *at += w;
                        Some(*at)
                    })
                    .collect(),
            );
        }
        // Bunched: most thresholds in a tiny interval, a few far away.
        shapes.push(
            (0..40)
                .map(|i| {
                    if i < 36 {
                        i as f64 * 1e-9
                    } else {
                        i as f64 * 1e3
                    }
                })
                .collect(),
        );
        shapes
    }

    /// Points on, next to, between and far from every threshold, and the
    /// special values.
    fn probes<T: Float>(thresholds: &[T]) -> Vec<T> {
        let mut xs = Vec::new();
        for w in thresholds.windows(2) {
            xs.push(T::from_f64(0.5 * (w[0].to_f64() + w[1].to_f64())));
        }
        for &b in thresholds {
            let v = b.to_f64();
            xs.push(b);
            for d in [1e-7, 1e-12, 1e-15] {
                xs.extend([
                    T::from_f64(v - d * v.abs().max(1.0)),
                    T::from_f64(v + d * v.abs().max(1.0)),
                ]);
            }
            // The neighbouring floats of the table's own type.
            let (below, above) = if T::BYTES == 8 {
                (v.next_down(), v.next_up())
            } else {
                let v = v as f32;
                (f64::from(v.next_down()), f64::from(v.next_up()))
            };
            xs.extend([below, above].map(T::from_f64));
        }
        xs.extend([-1e300, -1e30, -5.0, 0.0, 5.0, 1e30, 1e300].map(T::from_f64));
        xs.extend([f64::INFINITY, f64::NEG_INFINITY, f64::NAN].map(T::from_f64));
        xs
    }

    fn check<T: Float>(thresholds: &[T]) {
        let k = thresholds.len() + 1;
        // The piece number itself as the one column.
        let column: Vec<T> = (0..k).map(|i| T::from_f64(i as f64)).collect();
        let xs = probes(thresholds);
        for method in Pieces::<T, 1>::methods(k) {
            let table = Pieces::with_method(thresholds, [column.clone()], method);
            let mut got = xs.clone();
            table.eval_in_place(&mut got, |_, [piece]| piece);
            let mut into = vec![T::ZERO; xs.len()];
            table.eval(&xs, &mut into, |_, [piece]| piece);
            for ((&t, &g), &i) in xs.iter().zip(&got).zip(&into) {
                assert_eq!(g.to_bits_u64(), i.to_bits_u64());
                if t.is_nan() {
                    assert!(g.to_f64() >= 0.0 && g.to_f64() < k as f64);
                    continue;
                }
                let want = naive(thresholds, t);
                assert_eq!(
                    g.to_f64(),
                    want as f64,
                    "{method:?} ({:?}), {k} pieces, t = {t}",
                    table.method()
                );
                assert_eq!(table.piece(t), want);
            }
        }
    }

    #[test]
    fn every_method_finds_the_naive_piece() {
        for shape in shapes() {
            check::<f64>(&shape);
            let mut f32s: Vec<f32> = shape.iter().map(|&v| v as f32).collect();
            f32s.dedup();
            check::<f32>(&f32s);
        }
    }

    #[test]
    fn bunched_thresholds_fall_back_to_the_search() {
        let bunched: Vec<f64> = (0..40)
            .map(|i| {
                if i < 36 {
                    i as f64 * 1e-9
                } else {
                    i as f64 * 1e3
                }
            })
            .collect();
        let table = Pieces::with_method(&bunched, [vec![0.0; 41]], Method::Portable);
        assert_eq!(table.method(), Method::Search);
        let uniform: Vec<f64> = (0..40).map(|i| i as f64).collect();
        let table = Pieces::with_method(&uniform, [vec![0.0; 41]], Method::Portable);
        assert_eq!(table.method(), Method::Portable);
    }
}
