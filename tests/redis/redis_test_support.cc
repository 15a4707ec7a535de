#include "tests/redis/redis_test_support.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

namespace reviewsim::testing {

namespace {

// Keeps the adapter's info logs (one per connect) out of the test output; warnings and errors
// still show.
class QuietLogs : public ::testing::Environment {
 public:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }
};

[[maybe_unused]] ::testing::Environment* const quiet_logs =
    ::testing::AddGlobalTestEnvironment(new QuietLogs);

}  // namespace

RedisOptions shared_redis_options(int db) {
  RedisOptions options;
  options.url = RedisUrl::parse("redis://127.0.0.1:" + std::to_string(shared_redis_port()) + "/" +
                                std::to_string(db));
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.command_timeout = std::chrono::milliseconds(5000);
  return options;
}

std::unique_ptr<RedisKv> connect_shared(int db) {
  return std::make_unique<RedisKv>(shared_redis_options(db));
}

void SharedRedisTest::SetUp() {
  kv_ = connect_shared();
  ASSERT_EQ(kv_->execute(Command{Op::flushdb, {}, {}, {}}), Reply::ok());
}

::testing::AssertionResult replies_equal(const char* actual_text, const char* expected_text,
                                         const Reply& actual, const Reply& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << actual_text << " returned " << format_reply(actual, 1000) << "\n"
         << expected_text << " is " << format_reply(expected, 1000);
}

std::vector<KeyDump> dump_keyspace(Kv& kv) {
  std::set<std::string> keys;
  std::string cursor = "0";
  do {
    const Reply page = kv.execute(Command{Op::scan, cursor, {}, "100"});
    EXPECT_EQ(page.elements.size(), 2u) << format_reply(page);
    if (page.elements.size() != 2) break;
    cursor = page.elements[0].text;
    for (const Reply& key : page.elements[1].elements) keys.insert(key.text);
  } while (cursor != "0");

  std::vector<KeyDump> dump;
  for (const std::string& key : keys) {
    const Reply type = kv.execute(Command{Op::type, key, {}, {}});
    const Op read = type.text == "hash" ? Op::hgetall : Op::get;
    dump.push_back(KeyDump{key, type.text, kv.execute(Command{read, key, {}, {}})});
  }
  return dump;
}

std::string format_dump(const std::vector<KeyDump>& dump) {
  std::string text;
  for (const KeyDump& entry : dump) {
    text += entry.key + " (" + entry.type + ") = " + format_reply(entry.value, 200) + "\n";
  }
  return text;
}

}  // namespace reviewsim::testing
