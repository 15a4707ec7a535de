// Simulator throughput: simulated steps and schedules per second of CPU time for the
// strategies hset-multi and full-overwrite on bundled scenarios, and the cost of one MemoryKv
// HSET for scale. docs/benchmarks.md records the results and the commands that produced them.
//
// Each iteration of a simulation benchmark runs one whole schedule with seed = iteration
// index, so the iterations cover different schedules rather than repeating one.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "adapters/command.h"
#include "adapters/memory_kv.h"
#include "adapters/scenario_file.h"
#include "model/client_variant.h"
#include "sim/simulation.h"

namespace reviewsim {
namespace {

// A bundled scenario by name, read from the source tree once per process.
const Scenario& bundled_scenario(const std::string& name) {
  static std::map<std::string, Scenario> loaded;
  auto found = loaded.find(name);
  if (found == loaded.end()) {
    const auto path = std::filesystem::path(REVIEWSIM_SOURCE_DIR) / "scenarios" / (name + ".json");
    found = loaded.emplace(name, load_scenario_file(path)).first;
  }
  return found->second;
}

struct SimulationCase {
  std::string scenario;
  std::string strategy;
  ClientVariant client;
  int users_count = 2;
};

void run_simulation_case(benchmark::State& state, const SimulationCase& simulation_case) {
  const Scenario* scenario = nullptr;
  try {
    scenario = &bundled_scenario(simulation_case.scenario);
  } catch (const ScenarioError& error) {
    state.SkipWithError(error.what());
    return;
  }

  SimulationConfig config;
  config.scenario = scenario;
  config.strategy = simulation_case.strategy;
  config.client = simulation_case.client;
  config.users_count = simulation_case.users_count;

  std::uint64_t seed = 0;
  std::uint64_t steps_total = 0;
  std::uint64_t step_limit_hits = 0;
  for (auto _ : state) {
    config.seed = seed++;
    const SimulationResult result = simulate(config);
    steps_total += result.steps_count;
    step_limit_hits += result.step_limit_hit ? 1 : 0;
    benchmark::DoNotOptimize(result.history_hash);
  }

  // A schedule cut short by steps_max would inflate the rate with unfinished work.
  if (step_limit_hits > 0) {
    state.SkipWithError(
        "a schedule hit steps_max, so the rates would not describe whole runs. Check the "
        "scenario or raise SimulationConfig::steps_max");
    return;
  }
  const auto steps = static_cast<double>(steps_total);
  const auto schedules = static_cast<double>(state.iterations());
  state.counters["steps/s"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
  state.counters["schedules/s"] = benchmark::Counter(schedules, benchmark::Counter::kIsRate);
  state.counters["steps/schedule"] = benchmark::Counter(steps, benchmark::Counter::kAvgIterations);
}

// One HSET through a MemoryKv connection into a small hash laid out as the hash strategies lay
// it out: key match-review:<company>:<status>, field = item, value = an entry's JSON. After the
// first five iterations every HSET overwrites an existing field, as a changed decision does.
void BM_MemoryKvHset(benchmark::State& state) {
  MemoryStore store;
  MemoryKv kv(store);
  const std::array<std::string, 5> items = {"az-1", "az-2", "az-3", "az-4", "az-5"};
  Command command{Op::hset, "match-review:astrazeneca:approved", "", R"({"by":"u1","seq":3,"at":1530})"};

  std::size_t index = 0;
  for (auto _ : state) {
    command.field = items[index % items.size()];
    ++index;
    Reply reply = kv.execute(command);
    benchmark::DoNotOptimize(reply);
  }
  state.counters["hsets/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void register_benchmarks() {
  // mixed-workload generates 12 actions per user. same-item-conflict is scripted and short, so
  // the fixed cost of a run weighs more in its rates. The fixed client ships with hset-multi,
  // and the legacy rows show a client that never polls.
  const std::array<SimulationCase, 4> shapes = {{
      {"mixed-workload", "", fixed_client(), 2},
      {"mixed-workload", "", fixed_client(), 5},
      {"mixed-workload", "", legacy_client(), 5},
      {"same-item-conflict", "", fixed_client(), 2},
  }};
  for (const std::string strategy : {"hset-multi", "full-overwrite"}) {
    for (SimulationCase simulation_case : shapes) {
      simulation_case.strategy = strategy;
      const std::string name = "simulate/" + strategy + "/" + simulation_case.scenario + "/" +
                               simulation_case.client.name + "/users:" +
                               std::to_string(simulation_case.users_count);
      benchmark::RegisterBenchmark(name.c_str(), [simulation_case](benchmark::State& state) {
        run_simulation_case(state, simulation_case);
      });
    }
  }
  benchmark::RegisterBenchmark("memory_kv/hset", BM_MemoryKvHset);
}

}  // namespace
}  // namespace reviewsim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  reviewsim::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
