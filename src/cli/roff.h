#pragma once

#include <string>
#include <string_view>

namespace opencapf::cli {

// Text made safe for man(7) source: what the manual pages print is text from the command
// definitions and the prose beside them, never roff requests.

/// `text` as roff running text: '\' as \e, every '-' as \- (what is typed must copy back as an
/// ASCII hyphen-minus), non-ASCII characters as \[uXXXX] (groff reads its input as Latin-1), a
/// '.' or '\'' that would start a line as a request guarded with \&, and each newline kept as
/// the start of a new line (guarded the same way).
std::string RoffText(std::string_view text);

/// `text` as one quoted macro argument ("..."): RoffText on one line, '"' as \(dq.
std::string RoffArgument(std::string_view text);

/// Font changes: bold for what is typed as is, italic for what the user replaces.
std::string RoffBold(std::string_view text);
std::string RoffItalic(std::string_view text);

}  // namespace opencapf::cli
