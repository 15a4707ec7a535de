// Decisions per second through ReviewStore on a real redis-server, at 1 and 4 connections (one
// thread each), to compare with `redis-benchmark -t hset` at the same client counts.
//
// Benchmarks, each at 1 and 4 threads:
// - facade/decisions: one approve or reject per iteration. It is one MULTI/EXEC block of five
//   commands (MULTI, HSET, HDEL, HDEL, EXEC) in one round trip.
// - facade/loads: one load of a 100-item company per iteration (MULTI, 3 HGETALL, EXEC).
// - redis_kv/hset: one plain HSET per iteration through RedisKv, the same request as
//   redis-benchmark's. It separates the client's overhead from the transaction's.
//
// The server: REVIEWSIM_REDIS_URL when set (to compare with redis-benchmark on the same
// server), otherwise a private redis-server on a free 127.0.0.1 port, persistence off.

#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "adapters/redis_kv.h"
#include "adapters/review_store.h"
#include "tests/redis/redis_server.h"

namespace reviewsim {
namespace {

constexpr int kItemsCount = 100;

std::string& server_url() {
  static std::string url;
  return url;
}

RedisOptions bench_options() {
  RedisOptions options;
  options.url = RedisUrl::parse(server_url());
  return options;
}

std::string item_name(std::uint32_t index) { return "item-" + std::to_string(index % kItemsCount); }

void facade_decisions(benchmark::State& state) {
  RedisKv kv(bench_options());
  ReviewStore store(kv);
  const auto user = static_cast<UserId>(state.thread_index() + 1);
  std::uint32_t seq = 0;
  for (auto _ : state) {
    ++seq;
    const Author author{user, seq, static_cast<TimeMs>(seq)};
    // Threads share the items, so their decisions land on the same hashes and fields.
    if (seq % 2 == 0) {
      store.approve("bench", item_name(seq), author);
    } else {
      store.reject("bench", item_name(seq), author);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void facade_loads(benchmark::State& state) {
  RedisKv kv(bench_options());
  ReviewStore store(kv);
  if (state.thread_index() == 0) {
    for (std::uint32_t index = 0; index < kItemsCount; ++index) {
      store.approve("bench-load", item_name(index), Author{1, index + 1, 0});
    }
  }
  for (auto _ : state) {
    const ReviewState loaded = store.load("bench-load");
    benchmark::DoNotOptimize(loaded.entries_count());
  }
  state.SetItemsProcessed(state.iterations());
}

void redis_kv_hset(benchmark::State& state) {
  RedisKv kv(bench_options());
  std::uint32_t index = 0;
  for (auto _ : state) {
    const Reply reply = kv.execute(Command{Op::hset, "bench-hset", item_name(++index), "xxx"});
    benchmark::DoNotOptimize(reply.integer);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(facade_decisions)->Name("facade/decisions")->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK(facade_loads)->Name("facade/loads")->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK(redis_kv_hset)->Name("redis_kv/hset")->Threads(1)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace reviewsim

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  std::unique_ptr<reviewsim::testing::RedisServerProcess> server;
  if (const char* url = std::getenv("REVIEWSIM_REDIS_URL")) {
    reviewsim::server_url() = url;
  } else {
    server = std::make_unique<reviewsim::testing::RedisServerProcess>();
    reviewsim::server_url() = server->url();
  }
  const reviewsim::RedisUrl url = reviewsim::RedisUrl::parse(reviewsim::server_url());
  benchmark::AddCustomContext("redis", url.redacted());

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
