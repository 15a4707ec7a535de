// The entry codec: its direct path must agree with nlohmann::json on every text, the ones it
// writes and the ones it must hand over.

#include <cstdint>
#include <limits>
#include <string>
#include <variant>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "adapters/review_json.h"

namespace reviewsim {
namespace {

// What decoding a text gives: an entry, or the message of the DecodeError.
std::variant<Entry, std::string> outcome(Entry (*decode)(std::string_view), std::string_view text) {
  try {
    return decode(text);
  } catch (const DecodeError& error) {
    return std::string(error.what());
  }
}

rc::Gen<Entry> arbitrary_entry() {
  return rc::gen::apply(
      [](UserId user, std::uint32_t seq, TimeMs at_ms, std::string node) {
        return Entry{DecisionId{user, seq}, at_ms, std::move(node)};
      },
      rc::gen::inRange<UserId>(0, kUsersMax + 1), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::oneOf(rc::gen::inRange<TimeMs>(-5, 100000), rc::gen::arbitrary<TimeMs>()),
      rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::arbitrary<std::string>(),
                     rc::gen::element<std::string>("N-1", "a \"quoted\" node", "back\\slash",
                                                   "caf\xc3\xa9", "tab\there")));
}

TEST(ReviewJson, WritesLibraryText) {
  EXPECT_EQ(encode_entry(Entry{DecisionId{2, 7}, 1500, ""}), R"({"at":1500,"by":"u2","seq":7})");
  EXPECT_EQ(encode_entry(Entry{DecisionId{kImportUser, 0}, -3, "N 1"}),
            R"({"at":-3,"by":"import","node":"N 1","seq":0})");
}

RC_GTEST_PROP(ReviewJson, EncodingMatchesLibrary, ()) {
  const Entry entry = *arbitrary_entry();
  std::string expected;
  try {
    expected = encode_entry_with_library(entry);
  } catch (const std::exception&) {
    // The library rejects invalid UTF-8, so encode_entry must reject it too.
    RC_ASSERT_THROWS(encode_entry(entry));
    return;
  }
  RC_ASSERT(encode_entry(entry) == expected);
  RC_ASSERT(decode_entry(expected) == entry);
}

RC_GTEST_PROP(ReviewJson, DecodingEditedTextMatchesLibrary, ()) {
  const Entry entry = *arbitrary_entry().as("entry");
  std::string text;
  try {
    text = encode_entry_with_library(entry);
  } catch (const std::exception&) {
    RC_DISCARD("the library does not write invalid UTF-8");
  }
  // Up to three edits: replace, insert or erase one character anywhere.
  const int edits = *rc::gen::inRange(0, 4);
  for (int edit = 0; edit < edits; ++edit) {
    const auto position = *rc::gen::inRange<std::size_t>(0, text.size() + 1);
    const char c = *rc::gen::element('"', ',', ':', '{', '}', '-', '0', '1', '9', ' ', '\\', 'u',
                                     'x', '\xc3', '\x01');
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        if (position < text.size()) text[position] = c;
        break;
      case 1:
        text.insert(position, 1, c);
        break;
      default:
        if (position < text.size()) text.erase(position, 1);
        break;
    }
  }
  RC_TAG(edits);
  RC_ASSERT(outcome(decode_entry, text) == outcome(decode_entry_with_library, text));
}

TEST(ReviewJson, DecodesTextsOutsideDirectPath) {
  // Each is valid, but not in the shape encode_entry writes.
  for (const std::string_view text :
       {R"({"by":"u1","seq":3,"at":10})", R"({ "at":10,"by":"u1","seq":3 })",
        R"({"at":10,"by":"u1","node":"","seq":3})", R"({"at":10,"by":"u1","node":"\u0041","seq":3})",
        R"({"at":1e1,"by":"u1","seq":3})", R"({"at":-0,"by":"u1","seq":3})"}) {
    EXPECT_EQ(outcome(decode_entry, text), outcome(decode_entry_with_library, text)) << text;
  }
  EXPECT_EQ(decode_entry(R"({"by":"u1","seq":3,"at":10})"), (Entry{DecisionId{1, 3}, 10, ""}));
  EXPECT_EQ(decode_entry(R"({"at":10,"by":"u1","node":"\u0041","seq":3})"),
            (Entry{DecisionId{1, 3}, 10, "A"}));
}

TEST(ReviewJson, RejectsOutOfRangeNumbers) {
  const std::string seq_too_large = R"({"at":1,"by":"u1","seq":4294967296})";
  const std::string at_too_large = R"({"at":9223372036854775808,"by":"u1","seq":1})";
  const std::string negative_seq = R"({"at":1,"by":"u1","seq":-1})";
  const std::string unknown_user = R"({"at":1,"by":"u6","seq":1})";
  for (const std::string& text : {seq_too_large, at_too_large, negative_seq, unknown_user}) {
    EXPECT_THROW(decode_entry(text), DecodeError) << text;
    EXPECT_EQ(outcome(decode_entry, text), outcome(decode_entry_with_library, text)) << text;
  }
  EXPECT_EQ(decode_entry(R"({"at":1,"by":"u1","seq":4294967295})").id.seq,
            std::numeric_limits<std::uint32_t>::max());
}

}  // namespace
}  // namespace reviewsim
