//! What the rolling mean's memory access costs on its own: bare stencils
//! (`out[i] = (x[i+w+1] - x[i-w]) * c`, no running sum) walked the way the
//! candidate kernels would walk them, next to a copy and to `rolling_mean`
//! itself. Each round times every contender in turn (best of REPS), then
//! prints its ratio to the copy of that round; the last line gives the
//! median ratio over the rounds.
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin rolling_patterns -- [N] [HALF_WIDTH] [THREADS] [REPS] [ROUNDS]
//! cargo run --release -p splitapply-workloads --bin rolling_patterns -- 2000000 500 2 40 8
//! ```
//!
//! Contenders (all split over the rayon pool in the same chunks):
//! - `copy`: `out[i] = x[i] * 0.5`, the bandwidth bound.
//! - `one_pair`: one entering and one leaving stream, `2w + 1` apart, as
//!   `rolling_mean` walks each segment.
//! - `lockstep4`: four segments 8,200 values apart (at w = 500), four
//!   steps of each in turn, as `rolling_mean` walked them until session 4
//!   (perf-notes.md).
//! - `shared5`: four segments exactly one window apart, so that a segment's
//!   leaving values are its neighbour's entering values: five read streams
//!   for four lanes, each value read about once. A sliding sum walked this
//!   way needs an anchor (a direct window sum) at every segment start.
//! - `shared5_anchors`: `shared5` plus those anchors, summed before each
//!   group of four segments.
//! - `rolling_mean`: the library.

use std::time::Instant;

use rayon::prelude::*;

/// One way of filling `out`, timed as a whole.
type Contender<'a> = Box<dyn Fn(&mut [f64]) + Sync + 'a>;

/// `rolling_mean`'s anchor spacing for half-width `w` (see
/// `src/rolling/mod.rs`): its segments are this long.
fn kernel_spacing(w: usize) -> usize {
    let window = 2 * w + 1;
    (window * 16).next_power_of_two().max(4096)
}

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .map_or(default, |s| s.parse().expect("arguments are whole numbers"))
    };
    let (n, w, threads, reps, rounds) = (
        arg(1, 2_000_000),
        arg(2, 500),
        arg(3, 2),
        arg(4, 40),
        arg(5, 5),
    );
    let spacing = kernel_spacing(w);
    // rolling_mean's chunks: whole segments, at least 16K outputs.
    let chunk = spacing.max(1 << 14);
    assert!(
        n >= 4 * chunk,
        "N must hold at least four chunks of {chunk} points"
    );
    assert!(threads > 0, "THREADS must be at least 1");
    let x: Vec<f64> = (0..n)
        .map(|i| (i as f64 * 0.37).sin() * 10.0 + i as f64 * 1e-3)
        .collect();
    let mut out = vec![0.0; n];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");
    let window = 2 * w + 1;

    // Every stencil skips the chunks whose windows reach an end of the
    // data (two of N / chunk): the contenders differ only in their walk.
    let interior = |start: usize, len: usize| start > w && start + len + w + 1 < n;
    let contenders: Vec<(&str, Contender)> = vec![
        (
            "copy",
            Box::new(|out: &mut [f64]| {
                out.par_chunks_mut(chunk)
                    .zip(x.par_chunks(chunk))
                    .for_each(|(o, x)| o.iter_mut().zip(x).for_each(|(o, &v)| *o = v * 0.5))
            }),
        ),
        (
            "one_pair",
            Box::new(|out: &mut [f64]| {
                out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| {
                    let s = c * chunk;
                    if !interior(s, o.len()) {
                        return;
                    }
                    let m = o.len();
                    let pairs = x[s + w + 1..][..m].iter().zip(&x[s - w..][..m]);
                    for (o, (&e, &l)) in o.iter_mut().zip(pairs) {
                        *o = (e - l) * 0.5;
                    }
                })
            }),
        ),
        (
            "lockstep4",
            Box::new(|out: &mut [f64]| {
                // Session 3's segments: eight windows rounded up to a power
                // of two, plus eight values so that the four segments'
                // streams fell in different L1 sets; four to a chunk.
                let lane_spacing = (window * 8).next_power_of_two().max(4096) + 8;
                let lockstep_chunk = 4 * lane_spacing;
                out.par_chunks_mut(lockstep_chunk)
                    .enumerate()
                    .for_each(|(c, o)| {
                        let s = c * lockstep_chunk;
                        if o.len() < lockstep_chunk || !interior(s, lockstep_chunk) {
                            return;
                        }
                        let blocks = lane_spacing / 4;
                        let stream = |g: usize, from: usize| -> &[[f64; 4]] {
                            x[from + g * lane_spacing..][..4 * blocks]
                                .as_chunks::<4>()
                                .0
                        };
                        let enter: [_; 4] = std::array::from_fn(|g| stream(g, s + w + 1));
                        let leave: [_; 4] = std::array::from_fn(|g| stream(g, s - w));
                        let (outs, _) = o.as_chunks_mut::<4>();
                        for b in 0..blocks {
                            for g in 0..4 {
                                let (e, l) = (enter[g][b], leave[g][b]);
                                let o = &mut outs[g * blocks + b];
                                for k in 0..4 {
                                    o[k] = (e[k] - l[k]) * 0.5;
                                }
                            }
                        }
                    })
            }),
        ),
        (
            "shared5",
            Box::new(|out: &mut [f64]| shared(&x, w, window, chunk, out, false)),
        ),
        (
            "shared5_anchors",
            Box::new(|out: &mut [f64]| shared(&x, w, window, chunk, out, true)),
        ),
        (
            "rolling_mean",
            Box::new(|out: &mut [f64]| splitapply::rolling_mean(&x, w, out).unwrap()),
        ),
    ];

    println!("N = {n}, w = {w}, {threads} thread(s), best of {reps}; ns/point (ratio to copy)");
    let mut ratios = vec![Vec::new(); contenders.len()];
    for _ in 0..rounds {
        let times: Vec<f64> = contenders
            .iter()
            .map(|(_, run)| {
                pool.install(|| {
                    (0..reps.max(1))
                        .map(|_| {
                            let t = Instant::now();
                            run(&mut out);
                            t.elapsed().as_secs_f64()
                        })
                        .fold(f64::INFINITY, f64::min)
                        * 1e9
                        / n as f64
                })
            })
            .collect();
        let line: Vec<String> = contenders
            .iter()
            .zip(&times)
            .zip(&mut ratios)
            .map(|(((name, _), &t), r)| {
                r.push(t / times[0]);
                format!("{name} {t:.3} ({:.2}x)", t / times[0])
            })
            .collect();
        println!("{}", line.join("  "));
    }
    let medians: Vec<String> = contenders
        .iter()
        .zip(&mut ratios)
        .map(|((name, _), r)| {
            r.sort_by(f64::total_cmp);
            format!("{name} {:.2}x", r[r.len() / 2])
        })
        .collect();
    println!("median ratio to copy: {}", medians.join("  "));
}

/// Four segments one window apart per group; with `anchors`, each group
/// first sums the window at every segment start (what a sliding sum over
/// this walk would need).
fn shared(x: &[f64], w: usize, window: usize, chunk: usize, out: &mut [f64], anchors: bool) {
    let n = x.len();
    let group = 4 * window;
    let chunk = group * (chunk / group).max(1);
    out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| {
        let start = c * chunk;
        if o.len() < chunk || start <= w || start + chunk + w + 1 >= n {
            return;
        }
        for (gi, o) in o.chunks_exact_mut(group).enumerate() {
            let g0 = start + gi * group;
            let streams: [&[f64]; 5] = std::array::from_fn(|k| &x[g0 - w + k * window..][..window]);
            if anchors {
                let mut sums = [0.0; 4];
                for (sum, s) in sums.iter_mut().zip(&streams) {
                    let mut lanes = [0.0f64; 8];
                    for c in s.chunks_exact(8) {
                        for (l, &v) in lanes.iter_mut().zip(c) {
                            *l += v;
                        }
                    }
                    *sum = lanes.iter().sum();
                }
                std::hint::black_box(sums);
            }
            let (o0, rest) = o.split_at_mut(window);
            let (o1, rest) = rest.split_at_mut(window);
            let (o2, o3) = rest.split_at_mut(window);
            let lanes = o0.iter_mut().zip(o1).zip(o2.iter_mut().zip(o3));
            let values = streams[0].iter().zip(streams[1]).zip(streams[2]);
            let values = values.zip(streams[3]).zip(streams[4]);
            for (((o0, o1), (o2, o3)), ((((&v0, &v1), &v2), &v3), &v4)) in lanes.zip(values) {
                *o0 = (v1 - v0) * 0.5;
                *o1 = (v2 - v1) * 0.5;
                *o2 = (v3 - v2) * 0.5;
                *o3 = (v4 - v3) * 0.5;
            }
        }
    });
}
