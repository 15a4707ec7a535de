#pragma once

// A strategy program: a C++20 coroutine that issues KV commands one at a time and receives each
// reply before it continues. The caller steps it: command() is the command the program waits
// on, resume(reply) hands it the reply and runs it to its next command or to its end. The
// simulator runs one command per step so that any other work can come between two commands;
// run_program() runs a program to its end on one connection, as production does.
//
//   Program<SaveOutcome> save(...) {
//     Command get{Op::get, key, {}, {}};
//     Reply blob = co_await kv_call(get);
//     ...
//     co_return SaveOutcome{};
//   }

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "adapters/command.h"
#include "adapters/kv.h"
#include "model/assert.h"
#include "model/store_delta.h"

namespace reviewsim {

// The state a program shares with its caller between two steps.
struct ProgramSlot {
  Command command;
  // What the command does to the store in model terms, for write commands.
  std::optional<StoreDelta> delta;
  // True when the program ignores this command's reply until a later command (a command queued
  // inside MULTI), so that production may send it together with the next one.
  bool pipelined = false;
  Reply reply;
};

template <typename Result>
class Program {
 public:
  struct promise_type {
    ProgramSlot slot;
    std::optional<Result> result;
    std::exception_ptr exception;

    Program get_return_object() {
      return Program(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(Result value) { result = std::move(value); }
    void unhandled_exception() { exception = std::current_exception(); }
  };

  Program(Program&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Program& operator=(Program&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() { destroy(); }

  // Runs the program to its first command (or to its end). Call once, before anything else.
  void start() {
    RS_ASSERT(handle_);
    RS_ASSERT(!started_);
    started_ = true;
    run();
  }
  bool done() const { return handle_.done(); }
  ProgramSlot& slot() {
    RS_ASSERT(started_);
    RS_ASSERT(!done());
    return handle_.promise().slot;
  }
  // Hands the reply of slot().command to the program and runs it to its next command.
  void resume(Reply reply) {
    slot().reply = std::move(reply);
    run();
  }
  // The program's result. Requires done().
  Result take_result() {
    RS_ASSERT(done());
    RS_ASSERT(handle_.promise().result.has_value());
    return std::move(*handle_.promise().result);
  }

 private:
  explicit Program(std::coroutine_handle<promise_type> handle) : handle_(handle) {}

  void run() {
    handle_.resume();
    if (handle_.promise().exception) std::rethrow_exception(handle_.promise().exception);
  }
  void destroy() {
    if (handle_) handle_.destroy();
  }

  std::coroutine_handle<promise_type> handle_;
  bool started_ = false;
};

// The awaitable a program co_awaits to issue one command; it resumes with the reply. It holds
// only pointers to the caller's named locals, which it moves into the slot: GCC 12 mishandles
// the lifetime of non-trivial temporaries inside a co_await expression (it freed a string
// twice here), so programs build each command in a named variable first.
class KvCall {
 public:
  KvCall(Command* command, StoreDelta* delta, bool pipelined)
      : command_(command), delta_(delta), pipelined_(pipelined) {}

  bool await_ready() const noexcept { return false; }
  template <typename Promise>
  void await_suspend(std::coroutine_handle<Promise> handle) noexcept {
    slot_ = &handle.promise().slot;
    slot_->command = std::move(*command_);
    if (delta_ != nullptr) {
      slot_->delta = std::move(*delta_);
    } else {
      slot_->delta.reset();
    }
    slot_->pipelined = pipelined_;
  }
  Reply await_resume() { return std::move(slot_->reply); }

 private:
  Command* command_;
  StoreDelta* delta_;
  bool pipelined_;
  ProgramSlot* slot_ = nullptr;
};

// Issues `command` (moved from) and, for a write, its delta (moved from).
inline KvCall kv_call(Command& command) { return KvCall(&command, nullptr, false); }
inline KvCall kv_call(Command& command, StoreDelta& delta) {
  return KvCall(&command, &delta, false);
}
// The same for a command whose reply the program does not read before its next command.
inline KvCall kv_send(Command& command) { return KvCall(&command, nullptr, true); }
inline KvCall kv_send(Command& command, StoreDelta& delta) { return KvCall(&command, &delta, true); }

// Runs a program to its end on one connection, one command per round trip, and returns its
// result. Connection failures propagate as KvError.
template <typename Result>
Result run_program(Program<Result> program, Kv& kv) {
  program.start();
  while (!program.done()) program.resume(kv.execute(program.slot().command));
  return program.take_result();
}

}  // namespace reviewsim
