#include "sim/shrink.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "adapters/scenario_file.h"
#include "model/assert.h"
#include "sim/replay.h"
#include "sim/workload.h"

namespace reviewsim {

namespace {

bool shows(const SimulationResult& result, AnomalyKind kind) {
  return std::any_of(result.anomalies.begin(), result.anomalies.end(),
                     [kind](const Anomaly& anomaly) { return anomaly.kind == kind; });
}

// The trace's scenario with every user's actions written out and nothing else left to draw:
// exactly the users of the trace, explicit scripts, no generated workload, no expectations.
Scenario materialize(const Trace& trace) {
  Scenario scenario = trace.scenario;
  Prng workload_prng = Prng(trace.seed).split("workload");
  std::vector<UserScript> scripts = expand_workload(scenario, trace.users_count, workload_prng);
  scenario.scripts.clear();
  for (std::size_t index = 0; index < scripts.size(); ++index) {
    scenario.scripts[static_cast<UserId>(index + 1)] = std::move(scripts[index]);
  }
  scenario.generated.reset();
  scenario.users_min = trace.users_count;
  scenario.users_max = trace.users_count;
  scenario.expectations.clear();
  return scenario;
}

// The scenario as its file would read it back, or nullopt when an edit broke a rule (a
// decision left on an item of a company that is no longer shown, say).
std::optional<Scenario> validated(const Scenario& scenario) {
  try {
    return parse_scenario(format_scenario(scenario), "shrink candidate");
  } catch (const ScenarioError&) {
    return std::nullopt;
  }
}

Scenario without_user(const Scenario& scenario, UserId removed) {
  Scenario smaller = scenario;
  smaller.scripts.clear();
  for (const auto& [user, script] : scenario.scripts) {
    if (user == removed) continue;
    smaller.scripts[user > removed ? static_cast<UserId>(user - 1) : user] = script;
  }
  smaller.users_min = scenario.users_min - 1;
  smaller.users_max = scenario.users_max - 1;
  return smaller;
}

// The scenario without one company (and its items) or one item, with ids renumbered. Returns
// nullopt when a script starts on the removed company.
std::optional<Scenario> without_catalog_entry(const Scenario& scenario,
                                              std::optional<CompanyId> removed_company,
                                              std::optional<ItemId> removed_item) {
  const Catalog& old = scenario.catalog;
  Scenario smaller = scenario;
  smaller.catalog = Catalog{};
  std::vector<std::optional<CompanyId>> company_map(old.companies_count());
  std::vector<std::optional<ItemId>> item_map(old.items_count());
  for (std::size_t index = 0; index < old.companies_count(); ++index) {
    const auto company = static_cast<CompanyId>(index);
    if (company == removed_company) continue;
    company_map[index] = smaller.catalog.add_company(old.company_name(company));
    for (const ItemId item : old.items_of(company)) {
      if (item == removed_item) continue;
      item_map[item] = smaller.catalog.add_item(*company_map[index], old.item_name(item));
    }
  }

  smaller.initial.clear();
  for (InitialEntry entry : scenario.initial) {
    if (!item_map[entry.item]) continue;
    entry.company = *company_map[entry.company];
    entry.item = *item_map[entry.item];
    smaller.initial.push_back(std::move(entry));
  }
  for (auto& [user, script] : smaller.scripts) {
    if (!company_map[script.start_company]) return std::nullopt;
    script.start_company = *company_map[script.start_company];
    std::vector<Action> kept;
    for (Action action : script.actions) {
      if (is_decision(action.kind)) {
        if (!item_map[action.item]) continue;
        action.item = *item_map[action.item];
      }
      if (!company_map[action.company]) continue;
      action.company = *company_map[action.company];
      kept.push_back(std::move(action));
    }
    script.actions = std::move(kept);
  }
  return smaller;
}

class Shrinker {
 public:
  Shrinker(const Trace& trace, AnomalyKind kind, const ShrinkOptions& options)
      : trace_(trace), kind_(kind), options_(options) {}

  ShrinkResult run();

 private:
  // Runs the candidate with the trace's seed, then seeds 1, 2, ...; keeps it on the first seed
  // that shows the kind.
  bool try_candidate(const std::optional<Scenario>& candidate);
  std::optional<SimulationResult> simulate_seed(const Scenario& scenario, std::uint64_t seed,
                                                bool keep_steps);
  bool shrink_once();

  const Trace& trace_;
  AnomalyKind kind_;
  ShrinkOptions options_;
  Scenario best_;
  std::uint64_t best_seed_ = 0;
  ShrinkResult result_;
};

std::optional<SimulationResult> Shrinker::simulate_seed(const Scenario& scenario,
                                                        std::uint64_t seed, bool keep_steps) {
  if (result_.runs >= options_.runs_max) {
    result_.runs_max_hit = true;
    return std::nullopt;
  }
  ++result_.runs;
  SimulationConfig config = replay_config(trace_);
  config.schedule = nullptr;
  config.scenario = &scenario;
  config.users_count = scenario.users_min;
  config.seed = seed;
  config.keep_steps = keep_steps;
  return simulate(config);
}

bool Shrinker::try_candidate(const std::optional<Scenario>& candidate) {
  if (!candidate) return false;
  const std::optional<Scenario> valid = validated(*candidate);
  if (!valid || valid->users_min < 1) return false;
  ++result_.candidates_tried;

  std::vector<std::uint64_t> seeds{trace_.seed};
  for (std::uint64_t seed = 1; seed <= options_.seeds_per_candidate; ++seed) {
    if (seed != trace_.seed) seeds.push_back(seed);
  }
  for (const std::uint64_t seed : seeds) {
    const auto run = simulate_seed(*valid, seed, false);
    if (!run) return false;
    if (!shows(*run, kind_)) continue;
    best_ = *valid;
    best_seed_ = seed;
    ++result_.candidates_kept;
    return true;
  }
  return false;
}

bool Shrinker::shrink_once() {
  const Scenario current = best_;
  for (int user = current.users_min; user >= 1 && current.users_min > 1; --user) {
    if (try_candidate(without_user(current, static_cast<UserId>(user)))) return true;
  }
  for (const auto& [user, script] : current.scripts) {
    for (std::size_t index = script.actions.size(); index-- > 0;) {
      Scenario smaller = current;
      auto& actions = smaller.scripts[user].actions;
      actions.erase(actions.begin() + static_cast<std::ptrdiff_t>(index));
      if (try_candidate(smaller)) return true;
    }
  }
  // Edits that removing one action at a time cannot make without breaking a script rule: a
  // first switch folded into the start company, and a hide removed with the next show.
  for (const auto& [user, script] : current.scripts) {
    const auto& actions = script.actions;
    if (!actions.empty() && actions.front().kind == ActionKind::switch_company) {
      Scenario smaller = current;
      UserScript& edited = smaller.scripts[user];
      edited.start_company = actions.front().company;
      edited.actions.erase(edited.actions.begin());
      if (try_candidate(smaller)) return true;
    }
    for (std::size_t hide = 0; hide < actions.size(); ++hide) {
      if (actions[hide].kind != ActionKind::hide_tab) continue;
      for (std::size_t show = hide + 1; show < actions.size(); ++show) {
        if (actions[show].kind != ActionKind::show_tab) continue;
        Scenario smaller = current;
        auto& edited = smaller.scripts[user].actions;
        edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(show));
        edited.erase(edited.begin() + static_cast<std::ptrdiff_t>(hide));
        if (try_candidate(smaller)) return true;
        break;
      }
    }
  }
  for (std::size_t index = current.initial.size(); index-- > 0;) {
    Scenario smaller = current;
    smaller.initial.erase(smaller.initial.begin() + static_cast<std::ptrdiff_t>(index));
    if (try_candidate(smaller)) return true;
  }
  const std::size_t companies_count = current.catalog.companies_count();
  for (std::size_t company = companies_count; company-- > 0 && companies_count > 1;) {
    const auto removed = static_cast<CompanyId>(company);
    if (try_candidate(without_catalog_entry(current, removed, std::nullopt))) return true;
  }
  for (std::size_t item = current.catalog.items_count(); item-- > 0;) {
    const auto removed = static_cast<ItemId>(item);
    if (try_candidate(without_catalog_entry(current, std::nullopt, removed))) return true;
  }
  return false;
}

ShrinkResult Shrinker::run() {
  best_ = materialize(trace_);
  best_seed_ = trace_.seed;
  const auto start = simulate_seed(best_, best_seed_, false);
  RS_ASSERT(start.has_value());
  RS_ASSERT(shows(*start, kind_));

  while (!result_.runs_max_hit && shrink_once()) {
  }

  // The shortest schedule among the seeds that show the kind on the smallest scenario.
  std::uint64_t shortest_seed = best_seed_;
  std::size_t shortest = SIZE_MAX;
  for (std::uint64_t seed = 1; seed <= options_.seeds_per_candidate * 4; ++seed) {
    const auto run = simulate_seed(best_, seed, false);
    if (!run) break;
    if (shows(*run, kind_) && run->schedule.size() < shortest) {
      shortest = run->schedule.size();
      shortest_seed = seed;
    }
  }
  SimulationConfig config = replay_config(trace_);
  config.schedule = nullptr;
  config.scenario = &best_;
  config.users_count = best_.users_min;
  config.seed = shortest_seed;
  config.keep_steps = true;
  const SimulationResult final_run = simulate(config);
  RS_ASSERT(shows(final_run, kind_));
  result_.trace = make_trace(config, final_run);
  return result_;
}

}  // namespace

TraceSize measure(const Trace& trace) {
  TraceSize size;
  size.users = trace.users_count;
  Prng workload_prng = Prng(trace.seed).split("workload");
  for (const UserScript& script : expand_workload(trace.scenario, trace.users_count, workload_prng)) {
    size.actions += static_cast<int>(script.actions.size());
    size.decisions += static_cast<int>(std::count_if(
        script.actions.begin(), script.actions.end(),
        [](const Action& action) { return is_decision(action.kind); }));
  }
  size.initial_entries = static_cast<int>(trace.scenario.initial.size());
  size.companies = static_cast<int>(trace.scenario.catalog.companies_count());
  size.items = static_cast<int>(trace.scenario.catalog.items_count());
  size.schedule_steps = static_cast<std::uint32_t>(trace.schedule.size());
  return size;
}

std::string describe(const TraceSize& size) {
  return fmt::format("{} users, {} actions ({} decisions), {} initial entries, {} companies, "
                     "{} items, {} scheduled steps",
                     size.users, size.actions, size.decisions, size.initial_entries,
                     size.companies, size.items, size.schedule_steps);
}

ShrinkResult shrink_trace(const Trace& trace, AnomalyKind kind, const ShrinkOptions& options) {
  Shrinker shrinker(trace, kind, options);
  return shrinker.run();
}

}  // namespace reviewsim
