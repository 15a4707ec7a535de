#pragma once

// Helpers shared by the Redis tests: connections to the shared server, a fixture that empties
// it before each test, reply comparison and a dump of a whole keyspace.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/kv.h"
#include "adapters/redis_kv.h"
#include "tests/redis/redis_server.h"

namespace reviewsim::testing {

// Options for the shared server's database `db`, with timeouts short enough for tests.
RedisOptions shared_redis_options(int db = 0);
std::unique_ptr<RedisKv> connect_shared(int db = 0);

// Empties database 0 of the shared server before each test and gives the test a connection.
// The Redis tests hold the ctest resource lock "redis_server", so no other test uses the
// server meanwhile.
class SharedRedisTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<RedisKv> kv_;
};

// Compares two replies and, on a mismatch, prints both as redis-cli would show them.
::testing::AssertionResult replies_equal(const char* actual_text, const char* expected_text,
                                         const Reply& actual, const Reply& expected);
#define EXPECT_REPLY(actual, expected) \
  EXPECT_PRED_FORMAT2(::reviewsim::testing::replies_equal, actual, expected)

// One key of a keyspace dump: its TYPE and its value (GET for a string, HGETALL for a hash).
struct KeyDump {
  std::string key;
  std::string type;
  Reply value;

  friend bool operator==(const KeyDump&, const KeyDump&) = default;
};

// Every key of the database of `kv`, sorted by name, read with SCAN, TYPE and GET or HGETALL.
std::vector<KeyDump> dump_keyspace(Kv& kv);
std::string format_dump(const std::vector<KeyDump>& dump);

}  // namespace reviewsim::testing
