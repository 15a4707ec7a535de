#pragma once

// The requests a client sends to the server.

#include <cstdint>
#include <vector>

#include "model/client_variant.h"
#include "model/company_state.h"

namespace reviewsim {

// Unique within a run: the sending user in the top byte, the user's request counter below.
using RequestId = std::uint32_t;

inline UserId user_of(RequestId request) { return static_cast<UserId>(request >> 24); }
inline std::uint32_t counter_of(RequestId request) { return request & 0xFFFFFFu; }

struct SaveRequest {
  // The company whose key the save writes.
  CompanyId company = 0;
  // The client's whole view of that company when the save was sent.
  CompanyState view;
  // The decisions this save carries, in the order they were made. A decision for another
  // company than `company` is a wrong-company write in the making.
  std::vector<Decision> changes;
  Payload payload = Payload::whole_view;
};

struct Request {
  enum class Kind : std::uint8_t { save, load };

  RequestId id = 0;
  Kind kind = Kind::load;
  CompanyId company = 0;  // for a load, the company to read; for a save, save.company
  SaveRequest save;       // only for saves
};

}  // namespace reviewsim
