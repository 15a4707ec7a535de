#pragma once

// A strategy program: a C++20 coroutine that issues KV commands one at a time and receives each
// reply before it continues. The caller steps it: slot().command is the command the program waits
// on, resume(reply) hands it the reply and runs it to its next command or to its end. The
// simulator runs one command per step so that any other work can come between two commands.
// run_program() runs a program to its end on one connection, one round trip per command.
// run_program_pipelined() does the same with each MULTI/EXEC block in one round trip, as
// production does.
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
#include <stdexcept>
#include <utility>
#include <vector>

#include "adapters/command.h"
#include "adapters/kv.h"
#include "model/assert.h"
#include "model/store_delta.h"

namespace reviewsim {

// The state a program shares with its caller between two steps.
struct ProgramSlot {
  Command command;
  // The command's effect on the store in model terms, for write commands.
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

// The awaitable a program co_awaits to issue one command; it resumes with the reply. It keeps
// only pointers to the caller's named locals and moves them into the slot. GCC 12 mishandles
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

// A pipelined command whose reply, read after its batch returned, is an error. The program
// had already moved on with a placeholder for that reply, so its result cannot be trusted.
class PipelineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// The reply a pipelined command will most likely get, handed to the program in its place:
// OK for MULTI, WATCH and UNWATCH, QUEUED for a command queued inside MULTI, nil otherwise.
// Programs must not depend on it: they do not read these replies.
inline Reply placeholder_reply(const Command& command, bool queuing) {
  if (queuing && command.op != Op::exec && command.op != Op::discard) {
    return Reply::status("QUEUED");
  }
  switch (command.op) {
    case Op::multi:
    case Op::watch:
    case Op::unwatch:
      return Reply::ok();
    default:
      return Reply::nil();
  }
}

// Throws PipelineError for the first error among the replies of the batch's pipelined
// commands, which are all but the last when `last_is_read` is set.
inline void check_deferred_replies(const std::vector<Command>& batch,
                                   const std::vector<Reply>& replies, bool last_is_read) {
  RS_ASSERT(replies.size() == batch.size());
  const std::size_t deferred_count = last_is_read ? batch.size() - 1 : batch.size();
  for (std::size_t index = 0; index < deferred_count; ++index) {
    if (!replies[index].is_error()) continue;
    throw PipelineError("pipelined command " + format_command(batch[index]) +
                        " returned an error the program did not see: " +
                        format_reply(replies[index]));
  }
}

}  // namespace detail

// Runs a program to its end on one connection, as production does. The commands a program
// marks pipelined (slot().pipelined) are collected, and the program gets a placeholder reply
// for each at once. They go out together with the next command whose reply the program reads,
// in one execute_pipeline call. A MULTI/EXEC block thus takes one round trip. Throws PipelineError
// when a collected command gets an error reply, and KvError when the connection fails.
template <typename Result>
Result run_program_pipelined(Program<Result> program, Kv& kv) {
  std::vector<Command> batch;
  bool queuing = false;  // a pipelined MULTI is open, so commands are being queued
  program.start();
  while (!program.done()) {
    ProgramSlot& slot = program.slot();
    batch.push_back(std::move(slot.command));
    const Command& command = batch.back();
    if (slot.pipelined) {
      Reply placeholder = detail::placeholder_reply(command, queuing);
      if (command.op == Op::multi) queuing = true;
      if (command.op == Op::exec || command.op == Op::discard) queuing = false;
      program.resume(std::move(placeholder));
      continue;
    }

    if (command.op == Op::exec || command.op == Op::discard) queuing = false;
    std::vector<Reply> replies = kv.execute_pipeline(batch);
    detail::check_deferred_replies(batch, replies, /*last_is_read=*/true);
    batch.clear();
    program.resume(std::move(replies.back()));
  }

  // Pipelined commands at the very end still run, and their errors still count.
  if (!batch.empty()) {
    const std::vector<Reply> replies = kv.execute_pipeline(batch);
    detail::check_deferred_replies(batch, replies, /*last_is_read=*/false);
  }
  return program.take_result();
}

}  // namespace reviewsim
