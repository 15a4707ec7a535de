// The ops that the migration and the conformance test added to MemoryKv (HGET, SCAN, FLUSHDB),
// checked against a real redis-server where Redis's reply is fully defined, and against
// SCAN's guarantees where Redis leaves the order open.

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/memory_kv.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

Command command(Op op, std::string key = {}, std::string field = {}, std::string value = {}) {
  return Command{op, std::move(key), std::move(field), std::move(value)};
}

// Every key a full SCAN with `pattern` returns, counting duplicates.
std::multiset<std::string> scan_all(Kv& kv, const std::string& pattern, const std::string& count) {
  std::multiset<std::string> keys;
  std::string cursor = "0";
  int calls = 0;
  do {
    const Reply page = kv.execute(command(Op::scan, cursor, pattern, count));
    EXPECT_EQ(page.elements.size(), 2u) << format_reply(page);
    if (page.elements.size() != 2 || ++calls > 10000) break;
    cursor = page.elements[0].text;
    for (const Reply& key : page.elements[1].elements) keys.insert(key.text);
  } while (cursor != "0");
  return keys;
}

class MemoryKvOpsTest : public SharedRedisTest {
 protected:
  MemoryStore store_;
  MemoryKv memory_{store_};
};

TEST_F(MemoryKvOpsTest, ScanMatchAgreesWithRedisGlob) {
  const std::vector<std::string> keys = {
      "hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b", "axb", "[x]", "x",
      "match-review:acme", "match-review:acme:approved", "match-review-backup:acme", "ab-c", "^a"};
  for (const std::string& key : keys) {
    kv_->execute(command(Op::set, key, {}, "v"));
    memory_.execute(command(Op::set, key, {}, "v"));
  }
  const std::vector<std::string> patterns = {
      "*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "a\\*b",
      "a[*]b", "\\[x\\]", "match-review:*", "match-review:*:*", "*-*", "[\\^]a", "", "nomatch*"};
  for (const std::string& pattern : patterns) {
    const auto redis_keys = scan_all(*kv_, pattern, "3");
    const auto memory_keys = scan_all(memory_, pattern, "3");
    EXPECT_EQ(std::set<std::string>(memory_keys.begin(), memory_keys.end()),
              std::set<std::string>(redis_keys.begin(), redis_keys.end()))
        << "pattern " << pattern;
    // MemoryKv returns each key once.
    EXPECT_EQ(memory_keys.size(), std::set<std::string>(memory_keys.begin(), memory_keys.end()).size());
  }
}

TEST_F(MemoryKvOpsTest, ScanReturnsKeysPresentThroughoutExactlyOnce) {
  for (int index = 0; index < 200; ++index) {
    memory_.execute(command(Op::set, "stable-" + std::to_string(index), {}, "v"));
    memory_.execute(command(Op::set, "doomed-" + std::to_string(index), {}, "v"));
  }
  // Delete and add keys between pages: keys present for the whole scan must still come back
  // exactly once, as Redis guarantees.
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int page_index = 0;
  do {
    const Reply page = memory_.execute(command(Op::scan, cursor, {}, "7"));
    ASSERT_EQ(page.elements.size(), 2u);
    cursor = page.elements[0].text;
    for (const Reply& key : page.elements[1].elements) seen.insert(key.text);
    memory_.execute(command(Op::del, "doomed-" + std::to_string(page_index)));
    memory_.execute(command(Op::set, "new-" + std::to_string(page_index), {}, "v"));
    ASSERT_LT(++page_index, 1000);
  } while (cursor != "0");
  for (int index = 0; index < 200; ++index) {
    EXPECT_EQ(seen.count("stable-" + std::to_string(index)), 1u) << index;
  }
  EXPECT_GT(page_index, 20);
}

TEST_F(MemoryKvOpsTest, HgetAndFlushdbRepliesEqualRedis) {
  const std::vector<Command> script = {
      command(Op::hget, "h", "f"),
      command(Op::hset, "h", "f", "1"),
      command(Op::hget, "h", "f"),
      command(Op::hget, "h", "g"),
      command(Op::set, "s", {}, "x"),
      command(Op::hget, "s", "f"),
      command(Op::multi),
      command(Op::hget, "h", "f"),
      command(Op::flushdb),
      command(Op::exec),
      command(Op::exists, "h"),
      command(Op::flushdb),
  };
  for (const Command& step : script) {
    EXPECT_REPLY(memory_.execute(step), kv_->execute(step)) << format_command(step);
  }
}

TEST_F(MemoryKvOpsTest, FlushdbBreaksWatchOfExistingKeysOnly) {
  // Redis 7.0 marks a WATCH dirty on FLUSHDB only when the watched key existed.
  MemoryKv memory_other(store_);
  auto redis_other = connect_shared();
  const auto run = [](Kv& kv, Kv& other, const std::string& watched) {
    kv.execute(command(Op::set, "present", {}, "v"));
    kv.execute(command(Op::watch, watched));
    other.execute(command(Op::flushdb));
    kv.execute(command(Op::multi));
    kv.execute(command(Op::set, "after", {}, "v"));
    return kv.execute(command(Op::exec));
  };
  for (const std::string watched : {"present", "absent"}) {
    const Reply memory_reply = run(memory_, memory_other, watched);
    const Reply redis_reply = run(*kv_, *redis_other, watched);
    EXPECT_REPLY(memory_reply, redis_reply) << "watched " << watched;
  }
}

}  // namespace
}  // namespace reviewsim::testing
