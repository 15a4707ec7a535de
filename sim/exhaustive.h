#pragma once

// Exhaustive search: a depth-first search over every scheduler choice of a configuration,
// re-running the simulation from the start for each schedule (stateless model checking, as in
// Godefroid's VeriSoft).
//
// Partial-order reduction with sleep sets (Godefroid, "Partial-Order Methods for the
// Verification of Concurrent Systems", 1996): after the subtree of one enabled event has been
// explored, that event sleeps in the subtrees of its later siblings until an event that
// conflicts with it (Footprint, `independent`) runs. A schedule that reaches a state where every
// enabled event sleeps is pruned: an equivalent schedule was explored already. Checkers read
// only decision ids, never virtual times, so swapping two independent events cannot change a
// verdict.
//
// Dynamic partial-order reduction adds to the sleep sets (source sets, from Abdulla, Aronis,
// Jonsson and Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014, after Flanagan and
// Godefroid, POPL 2005). A scheduling point starts with one event to explore. Each schedule is
// then checked for races: two conflicting steps that no chain of creations and conflicts
// orders. For each race, the point before the earlier step gets an event that starts the
// reversed order, unless it has one already. Sleep sets alone try every event at every point
// and prune most runs only after re-running them. DPOR tries an event only where a race needs
// it. Both run exactly one complete schedule per class of equivalent schedules.
//
// An optional preemption bound (Musuvathi and Qadeer, PLDI 2007) skips schedules that switch
// away from an actor that could have continued more than k times. It runs without reduction:
// sleep sets and DPOR assume that every sibling subtree is explored in full, which a bound
// breaks, and the combination would prune schedules within the bound (Coons, Musuvathi and
// McKinley, "Bounded Partial-Order Reduction", OOPSLA 2013).

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/simulation.h"

namespace reviewsim {

enum class Reduction : std::uint8_t {
  none,        // every interleaving
  sleep_sets,  // sleep sets alone
  dpor,        // dynamic partial-order reduction with sleep sets
};

struct ExhaustiveOptions {
  Reduction reduction = Reduction::dpor;  // other than none only without a preemption_bound
  std::optional<int> preemption_bound;
  std::uint32_t schedules_max = 100000;  // complete schedules before the search gives up
  bool stop_at_first = true;             // stop at the first schedule with an anomaly
  // Called after every complete schedule with its result; returning false stops the search
  // (a time limit, say).
  std::function<bool(const SimulationResult&)> on_schedule;
};

struct ExhaustiveResult {
  std::uint32_t schedules = 0;         // complete schedules run to quiescence
  std::uint32_t pruned = 0;            // schedules cut because every event to explore slept
  std::uint32_t bounded = 0;           // choices skipped by the preemption bound
  std::uint32_t step_limit_hits = 0;   // schedules cut by steps_max
  std::uint32_t failing_schedules = 0;
  bool complete = false;               // every schedule up to the bounds was explored
  std::optional<std::uint32_t> first_failure;  // 1-based index of the first failing schedule
  std::vector<std::uint32_t> first_failing_schedule;  // its choices, which replay it
};

// Explores `config` (its explorer and seed are ignored; the search chooses every step).
ExhaustiveResult explore_exhaustively(const SimulationConfig& config, const ExhaustiveOptions& options);

}  // namespace reviewsim
