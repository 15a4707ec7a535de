#pragma once

// An in-memory key-value store with the Redis semantics the strategies rely on: strings and
// hashes, WRONGTYPE errors on a command against the other type, a hash that ceases to exist
// when its last field is deleted, HGETALL in insertion order (as Redis returns small hashes),
// and MULTI/EXEC/WATCH per connection with EXEC applying its queue atomically.
//
// SCAN keeps Redis's guarantees (a key present for the whole scan is returned exactly once,
// MATCH filters after COUNT keys are picked) but not its order: keys come in the order of a
// 64-bit FNV-1a hash of their name, and the cursor is the hash value to continue from.
//
// Single-threaded: the simulator runs every connection from one thread.

#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/kv.h"

namespace reviewsim {

class MemoryStore {
 public:
  // Fields in insertion order; an update keeps a field's place, as Redis's small hashes do.
  using Hash = std::vector<std::pair<std::string, std::string>>;
  using Value = std::variant<std::string, Hash>;

  // Runs one command outside a transaction. Requires an op other than MULTI, EXEC, DISCARD,
  // WATCH and UNWATCH, which belong to connections.
  Reply apply(const Command& command);

  const Value* find(const std::string& key) const;
  // Every key, sorted, so that callers never depend on hash-map order.
  std::vector<std::string> keys() const;
  std::size_t keys_count() const { return data_.size(); }
  void clear();

  // Modification counter of a key for WATCH: changes whenever a command modifies the key while
  // some connection watches keys.
  std::uint64_t version(const std::string& key) const;
  void add_watcher() { ++watchers_count_; }
  void remove_watcher();

 private:
  Reply apply_hash_command(const Command& command);
  Reply scan(const Command& command) const;
  Reply flush();
  void touch(const std::string& key);

  std::unordered_map<std::string, Value> data_;
  std::unordered_map<std::string, std::uint64_t> versions_;
  std::uint64_t modifications_count_ = 0;
  int watchers_count_ = 0;
};

// One connection to a MemoryStore. Holds the connection's transaction queue and watched keys.
class MemoryKv final : public Kv {
 public:
  explicit MemoryKv(MemoryStore& store) : store_(&store) {}
  ~MemoryKv() override;
  MemoryKv(const MemoryKv&) = delete;
  MemoryKv& operator=(const MemoryKv&) = delete;

  Reply execute(const Command& command) override;
  bool in_transaction() const { return in_transaction_; }

 private:
  void end_transaction();

  MemoryStore* store_;
  bool in_transaction_ = false;
  std::vector<Command> queued_;
  std::vector<std::pair<std::string, std::uint64_t>> watched_;
};

}  // namespace reviewsim
