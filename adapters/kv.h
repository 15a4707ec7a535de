#pragma once

// One connection to a Redis-like key-value store. MULTI/EXEC state and WATCHed keys belong to
// the connection, as in Redis. Implementations: MemoryKv (in memory, for the simulator) and
// RedisKv (a real server through hiredis).

#include <span>
#include <vector>

#include "adapters/command.h"

namespace reviewsim {

class Kv {
 public:
  virtual ~Kv() = default;

  // Runs one command and returns Redis's reply. Error replies (WRONGTYPE, EXEC without MULTI)
  // come back as Reply::Type::error; a connection that fails throws KvError.
  virtual Reply execute(const Command& command) = 0;

  // Runs the commands in order and returns their replies in order. Implementations may send
  // them in one round trip; the default runs them one at a time.
  virtual std::vector<Reply> execute_pipeline(std::span<const Command> commands);
};

}  // namespace reviewsim
