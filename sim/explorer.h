#pragma once

// Explorers: the policies that pick which enabled event runs next.
//   timed   the earliest due event runs first; ties are broken by the schedule stream. Rates
//           of anomalies under `timed` are the rates of the scenario's timing.
//   random  a uniform pick among every enabled event, whatever its due time: any interleaving
//           that causality allows.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "sim/event.h"
#include "sim/prng.h"

namespace reviewsim {

class Explorer {
 public:
  virtual ~Explorer() = default;
  virtual std::string_view name() const = 0;
  // Returns the index of the event to run. Requires a non-empty span. `prng` is the run's
  // schedule stream.
  virtual std::size_t choose(std::span<const Event> enabled, Prng& prng) = 0;
};

enum class ExplorerKind : std::uint8_t { timed, random };

std::string_view explorer_kind_name(ExplorerKind kind);
std::optional<ExplorerKind> parse_explorer_kind(std::string_view name);
std::unique_ptr<Explorer> make_explorer(ExplorerKind kind);

}  // namespace reviewsim
