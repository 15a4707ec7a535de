#pragma once

// The app behaviours a user's client runs. Each behaviour is a flag. `legacy` (the app that
// lost data) and `fixed` (the app after the fix) are presets, and a name such as
// `legacy+poll` starts from a preset and switches single flags.

#include <optional>
#include <string>
#include <string_view>

namespace reviewsim {

// The company a save writes to.
enum class SaveKey : std::uint8_t {
  global_current,  // the company shown in the dropdown when the save runs (legacy)
  captured,        // the company captured with the action (fixed)
};

// When a client reads the store.
enum class Sync : std::uint8_t {
  page_load_only,  // every company once at page load, never again (legacy)
  poll,            // page load, then the current company every poll interval while the tab is
                   // visible, at once when it is shown again and when the dropdown switches
};

// The payload of a read-merge-write save. The other strategies ignore this flag: full-overwrite
// always sends the whole view and the hash strategies one entry per decision.
enum class Payload : std::uint8_t {
  whole_view,       // the client's whole view of the company (legacy)
  changed_entries,  // only the entries changed since the last save (fixed)
};

// The merge of a load's result into a view.
enum class PollMerge : std::uint8_t {
  replace,       // the loaded state replaces the view (legacy)
  keep_pending,  // entries whose local writes are not yet acknowledged stay (fixed)
};

struct ClientVariant {
  std::string name;
  SaveKey save_key = SaveKey::global_current;
  Sync sync = Sync::page_load_only;
  Payload payload = Payload::whole_view;
  PollMerge poll_merge = PollMerge::replace;
};

// Whether two variants run the same behaviours, whatever their names.
bool same_flags(const ClientVariant& a, const ClientVariant& b);

ClientVariant legacy_client();
ClientVariant fixed_client();

// Parses "legacy", "fixed", or a preset followed by "+flag" modifiers, where a flag is one of
// captured-key, global-key, poll, page-load, changed-payload, whole-payload, keep-pending,
// replace. Returns nullopt with `error` set when the name is not of that form.
std::optional<ClientVariant> parse_client_variant(std::string_view name, std::string* error);

// The text that lists the accepted client variant names, for help and error messages.
std::string_view client_variant_syntax();

}  // namespace reviewsim
