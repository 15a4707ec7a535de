#include "adapters/memory_kv.h"

#include <algorithm>

#include "model/assert.h"

namespace reviewsim {

namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

MemoryStore::Hash::iterator find_field(MemoryStore::Hash& hash, const std::string& field) {
  return std::find_if(hash.begin(), hash.end(),
                      [&field](const auto& pair) { return pair.first == field; });
}

}  // namespace

std::vector<Reply> Kv::execute_pipeline(std::span<const Command> commands) {
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (const Command& command : commands) replies.push_back(execute(command));
  return replies;
}

const MemoryStore::Value* MemoryStore::find(const std::string& key) const {
  const auto found = data_.find(key);
  return found == data_.end() ? nullptr : &found->second;
}

std::vector<std::string> MemoryStore::keys() const {
  std::vector<std::string> keys;
  keys.reserve(data_.size());
  for (const auto& [key, value] : data_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void MemoryStore::clear() {
  data_.clear();
  versions_.clear();
}

std::uint64_t MemoryStore::version(const std::string& key) const {
  const auto found = versions_.find(key);
  return found == versions_.end() ? 0 : found->second;
}

void MemoryStore::remove_watcher() {
  RS_ASSERT(watchers_count_ > 0);
  --watchers_count_;
}

void MemoryStore::touch(const std::string& key) {
  if (watchers_count_ > 0) versions_[key] = ++modifications_count_;
}

Reply MemoryStore::apply(const Command& command) {
  switch (command.op) {
    case Op::get: {
      const Value* value = find(command.key);
      if (value == nullptr) return Reply::nil();
      if (!std::holds_alternative<std::string>(*value)) return Reply::error(kWrongType);
      return Reply::bulk(std::get<std::string>(*value));
    }
    case Op::set:
      data_.insert_or_assign(command.key, Value{command.value});
      touch(command.key);
      return Reply::ok();
    case Op::del: {
      const bool erased = data_.erase(command.key) > 0;
      if (erased) touch(command.key);
      return Reply::number(erased ? 1 : 0);
    }
    case Op::exists:
      return Reply::number(data_.contains(command.key) ? 1 : 0);
    case Op::type: {
      const Value* value = find(command.key);
      if (value == nullptr) return Reply::status("none");
      return Reply::status(std::holds_alternative<std::string>(*value) ? "string" : "hash");
    }
    case Op::rename: {
      auto found = data_.find(command.key);
      if (found == data_.end()) return Reply::error("ERR no such key");
      if (command.key == command.value) return Reply::ok();
      Value moved = std::move(found->second);
      data_.erase(found);
      data_.insert_or_assign(command.value, std::move(moved));
      touch(command.key);
      touch(command.value);
      return Reply::ok();
    }
    case Op::hset:
    case Op::hdel:
    case Op::hgetall:
      return apply_hash_command(command);
    case Op::multi:
    case Op::exec:
    case Op::discard:
    case Op::watch:
    case Op::unwatch:
      break;
  }
  RS_ASSERT(false);
}

Reply MemoryStore::apply_hash_command(const Command& command) {
  auto found = data_.find(command.key);
  if (found != data_.end() && !std::holds_alternative<Hash>(found->second)) {
    return Reply::error(kWrongType);
  }

  switch (command.op) {
    case Op::hset: {
      if (found == data_.end()) found = data_.emplace(command.key, Value{Hash{}}).first;
      Hash& hash = std::get<Hash>(found->second);
      touch(command.key);
      const auto field = find_field(hash, command.field);
      if (field != hash.end()) {
        field->second = command.value;
        return Reply::number(0);
      }
      hash.emplace_back(command.field, command.value);
      return Reply::number(1);
    }
    case Op::hdel: {
      if (found == data_.end()) return Reply::number(0);
      Hash& hash = std::get<Hash>(found->second);
      const auto field = find_field(hash, command.field);
      if (field == hash.end()) return Reply::number(0);
      hash.erase(field);
      // Redis deletes a hash together with its last field.
      if (hash.empty()) data_.erase(found);
      touch(command.key);
      return Reply::number(1);
    }
    case Op::hgetall: {
      std::vector<Reply> elements;
      if (found == data_.end()) return Reply::array(std::move(elements));
      const Hash& hash = std::get<Hash>(found->second);
      elements.reserve(hash.size() * 2);
      for (const auto& [field, value] : hash) {
        elements.push_back(Reply::bulk(field));
        elements.push_back(Reply::bulk(value));
      }
      return Reply::array(std::move(elements));
    }
    default:
      break;
  }
  RS_ASSERT(false);
}

MemoryKv::~MemoryKv() {
  if (!watched_.empty()) store_->remove_watcher();
}

void MemoryKv::end_transaction() {
  in_transaction_ = false;
  queued_.clear();
  if (!watched_.empty()) {
    watched_.clear();
    store_->remove_watcher();
  }
}

Reply MemoryKv::execute(const Command& command) {
  switch (command.op) {
    case Op::multi:
      if (in_transaction_) return Reply::error("ERR MULTI calls can not be nested");
      in_transaction_ = true;
      return Reply::ok();
    case Op::discard:
      if (!in_transaction_) return Reply::error("ERR DISCARD without MULTI");
      end_transaction();
      return Reply::ok();
    case Op::exec: {
      if (!in_transaction_) return Reply::error("ERR EXEC without MULTI");
      const bool watched_changed =
          std::any_of(watched_.begin(), watched_.end(), [this](const auto& watched) {
            return store_->version(watched.first) != watched.second;
          });
      std::vector<Command> queued = std::move(queued_);
      end_transaction();
      if (watched_changed) return Reply::nil();
      std::vector<Reply> replies;
      replies.reserve(queued.size());
      for (const Command& queued_command : queued) replies.push_back(store_->apply(queued_command));
      return Reply::array(std::move(replies));
    }
    case Op::watch:
      if (in_transaction_) return Reply::error("ERR WATCH inside MULTI is not allowed");
      if (watched_.empty()) store_->add_watcher();
      watched_.emplace_back(command.key, store_->version(command.key));
      return Reply::ok();
    case Op::unwatch:
      if (!watched_.empty()) {
        watched_.clear();
        store_->remove_watcher();
      }
      return Reply::ok();
    default:
      break;
  }

  if (in_transaction_) {
    queued_.push_back(command);
    return Reply::status("QUEUED");
  }
  return store_->apply(command);
}

}  // namespace reviewsim
