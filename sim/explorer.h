#pragma once

// Explorers: the policies that pick which enabled event runs next.
//   timed   the earliest due event runs first; ties are broken by the schedule stream. Rates
//           of anomalies under `timed` are the rates of the scenario's timing.
//   random  a uniform pick among every enabled event, whatever its due time: any interleaving
//           that causality allows.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <span>
#include <string_view>

#include "sim/event.h"
#include "sim/prng.h"

namespace reviewsim {

// The input of an explorer at one scheduled step.
struct ChoiceContext {
  std::span<const Event> enabled;  // non-empty, in creation order
  // One per enabled event, filled only for explorers whose needs_footprints() is true.
  std::span<const Footprint> footprints;
  std::uint32_t step = 0;  // the 1-based number of the step being chosen
  Prng& prng;              // the run's schedule stream
};

class Explorer {
 public:
  virtual ~Explorer() = default;
  virtual std::string_view name() const = 0;
  virtual bool needs_footprints() const { return false; }
  // Returns the index of the event to run.
  virtual std::size_t choose(const ChoiceContext& context) = 0;
  // Called once when the run ends, with the events still enabled then (poll timers that
  // quiescence drops, or anything left at the step limit) and, for explorers that need them,
  // their footprints.
  virtual void finish(std::span<const Event> /*pending*/, std::span<const Footprint> /*footprints*/) {}
};

enum class ExplorerKind : std::uint8_t { timed, random, pct };

// A recorded schedule that does not fit the run replaying it: a choice beyond the enabled
// events, or a run that needs more choices than were recorded.
class ScheduleMismatch : public std::runtime_error {
 public:
  ScheduleMismatch(std::uint32_t step, std::string problem);
  std::uint32_t step() const { return step_; }

 private:
  std::uint32_t step_;
};

// Replays a recorded schedule: the i-th call returns the i-th recorded choice. Throws
// ScheduleMismatch when the choice does not fit or the schedule has run out.
class ReplayExplorer final : public Explorer {
 public:
  explicit ReplayExplorer(const std::vector<std::uint32_t>& schedule) : schedule_(schedule) {}
  std::string_view name() const override { return "replay"; }
  std::size_t choose(const ChoiceContext& context) override;

 private:
  const std::vector<std::uint32_t>& schedule_;
  std::size_t next_ = 0;
};

std::string_view explorer_kind_name(ExplorerKind kind);
std::optional<ExplorerKind> parse_explorer_kind(std::string_view name);

// Parameters of PCT (probabilistic concurrency testing, Burckhardt, Kothari, Musuvathi and
// Nagarakatte, ASPLOS 2010).
struct PctParams {
  int depth = 2;                     // d: the bug depth searched for; d - 1 priority change points
  std::uint32_t steps_estimate = 100;  // k: the expected number of steps, over which change points fall
};

std::unique_ptr<Explorer> make_explorer(ExplorerKind kind, const PctParams& pct = {});

}  // namespace reviewsim
