#pragma once

// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and Nagarakatte,
// "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
//
// Every actor (see Footprint::actor) gets a random priority when it first appears; the values
// d, d+1, ... are above every later one. Before the run, d - 1 change points are drawn
// uniformly from steps 1..k. At each step the enabled event of the highest-priority actor runs
// (the earliest created, when the actor has several). At the i-th change point the actor about
// to run drops to priority d - i, below every initial priority, and the choice is made again.
// The paper proves that one run finds a bug of depth d with probability at least
// 1 / (n * k^(d-1)) for n actors and k steps.

#include <memory>

#include "sim/explorer.h"

namespace reviewsim {

std::unique_ptr<Explorer> make_pct_explorer(const PctParams& params);

// The paper's lower bound on the probability that one schedule finds a bug of depth `depth`,
// for `actors` actors and `steps` steps.
double pct_bound(int actors, std::uint32_t steps, int depth);

}  // namespace reviewsim
