// run_program_pipelined on MemoryKv: one execute_pipeline call per MULTI/EXEC block, the same
// result as run_program, placeholders for the replies a program does not read, and errors
// among those replies raised as PipelineError.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/hash_strategies.h"
#include "adapters/memory_kv.h"
#include "adapters/program.h"
#include "tests/redis/counting_kv.h"

namespace reviewsim::testing {
namespace {

class PipelinedRunnerTest : public ::testing::Test {
 protected:
  PipelinedRunnerTest() {
    company_ = catalog_.add_company("acme");
    item_ = catalog_.add_item(company_, "a1");
  }

  SaveRequest approve_request(std::uint32_t seq) const {
    SaveRequest request;
    request.company = company_;
    request.payload = Payload::changed_entries;
    request.changes.push_back(
        Decision{DecisionId{1, seq}, company_, item_, DecisionKind::approve, {}, 1000 + seq});
    return request;
  }

  Catalog catalog_;
  CompanyId company_ = 0;
  ItemId item_ = 0;
  MemoryStore store_;
  MemoryKv kv_{store_};
};

// A program that issues pipelined commands and records the replies it was handed for them.
Program<std::vector<Reply>> recording_program() {
  std::vector<Reply> seen;
  Command watch{Op::watch, "doc", {}, {}};
  seen.push_back(co_await kv_send(watch));
  Command multi{Op::multi, {}, {}, {}};
  seen.push_back(co_await kv_send(multi));
  Command set{Op::set, "doc", {}, "v"};
  seen.push_back(co_await kv_send(set));
  Command exec{Op::exec, {}, {}, {}};
  seen.push_back(co_await kv_call(exec));
  // A pipelined command at the very end: the runner still sends it.
  Command trailing{Op::set, "trailing", {}, "t"};
  seen.push_back(co_await kv_send(trailing));
  co_return seen;
}

TEST_F(PipelinedRunnerTest, SendsEachMultiExecBlockInOneCall) {
  const HashStrategy strategy(catalog_, /*transactional=*/true);
  CountingKv counting(kv_);

  const SaveOutcome saved = run_program_pipelined(strategy.save(approve_request(1)), counting);
  EXPECT_TRUE(saved.ok) << saved.error;
  ASSERT_EQ(counting.batch_sizes(), std::vector<std::size_t>({5}));
  EXPECT_EQ(counting.execute_calls(), 0u);

  counting.reset();
  const LoadOutcome loaded = run_program_pipelined(strategy.load(company_), counting);
  EXPECT_TRUE(loaded.ok) << loaded.error;
  EXPECT_EQ(counting.batch_sizes(), std::vector<std::size_t>({5}));
  ASSERT_NE(loaded.state.find(item_, Status::approved), nullptr);
}

TEST_F(PipelinedRunnerTest, ResultEqualsRunProgramResult) {
  const HashStrategy strategy(catalog_, /*transactional=*/true);
  MemoryStore other_store;
  MemoryKv other_kv(other_store);

  EXPECT_TRUE(run_program_pipelined(strategy.save(approve_request(1)), kv_).ok);
  EXPECT_TRUE(run_program(strategy.save(approve_request(1)), other_kv).ok);
  const LoadOutcome pipelined = run_program_pipelined(strategy.load(company_), kv_);
  const LoadOutcome stepped = run_program(strategy.load(company_), other_kv);
  EXPECT_TRUE(pipelined.ok);
  EXPECT_EQ(pipelined.state, stepped.state);
  EXPECT_EQ(store_.keys(), other_store.keys());
}

TEST_F(PipelinedRunnerTest, HandsPlaceholdersAndSendsTrailingCommands) {
  const std::vector<Reply> seen = run_program_pipelined(recording_program(), kv_);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], Reply::ok());                 // WATCH
  EXPECT_EQ(seen[1], Reply::ok());                 // MULTI
  EXPECT_EQ(seen[2], Reply::status("QUEUED"));     // SET inside MULTI
  EXPECT_EQ(seen[3], Reply::array({Reply::ok()}));  // EXEC: the real reply
  EXPECT_EQ(seen[4], Reply::nil());                // trailing SET outside MULTI
  EXPECT_EQ(kv_.execute(Command{Op::get, "trailing", {}, {}}), Reply::bulk("t"));
}

TEST_F(PipelinedRunnerTest, ErrorInDeferredReplyThrowsPipelineError) {
  // The connection is already inside MULTI, so the program's own MULTI gets an error reply
  // that the program never reads.
  ASSERT_EQ(kv_.execute(Command{Op::multi, {}, {}, {}}), Reply::ok());
  const HashStrategy strategy(catalog_, /*transactional=*/true);
  try {
    run_program_pipelined(strategy.save(approve_request(1)), kv_);
    FAIL() << "expected PipelineError";
  } catch (const PipelineError& error) {
    EXPECT_NE(std::string(error.what()).find("MULTI"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("nested"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace reviewsim::testing
