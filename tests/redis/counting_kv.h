#pragma once

// A Kv that forwards to another and counts calls, to check how many round trips a program
// takes: each execute() is one, and each execute_pipeline() is one whatever its size.

#include <span>
#include <vector>

#include "adapters/kv.h"

namespace reviewsim::testing {

class CountingKv final : public Kv {
 public:
  explicit CountingKv(Kv& inner) : inner_(inner) {}

  Reply execute(const Command& command) override {
    ++execute_calls_;
    return inner_.execute(command);
  }
  std::vector<Reply> execute_pipeline(std::span<const Command> commands) override {
    batch_sizes_.push_back(commands.size());
    return inner_.execute_pipeline(commands);
  }

  std::size_t execute_calls() const { return execute_calls_; }
  // The size of each execute_pipeline call, in call order.
  const std::vector<std::size_t>& batch_sizes() const { return batch_sizes_; }
  void reset() {
    execute_calls_ = 0;
    batch_sizes_.clear();
  }

 private:
  Kv& inner_;
  std::size_t execute_calls_ = 0;
  std::vector<std::size_t> batch_sizes_;
};

}  // namespace reviewsim::testing
