#include "base/framed_transcript.h"

#include <cctype>
#include <sstream>

#include "base/file.h"

namespace opencapf::framed::testing {

Result<std::vector<TranscriptMessage>> ReadTranscript(const Protocol& protocol,
                                                      const std::string& path) {
  auto file = ReadFile(path);
  if (!file.ok()) return file.error();
  std::string server(protocol.name);
  for (char& c : server) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string from_server = server + "->phone";
  const std::string to_server = "phone->" + server;

  std::istringstream lines(std::string(file->begin(), file->end()));
  std::vector<TranscriptMessage> out;
  Bytes pending[2];
  int writes[2] = {0, 0};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    const auto space = line.find(' ');
    if (space == std::string::npos) return Fail(where + ": no direction");
    const std::string direction = line.substr(0, space);
    if (direction != from_server && direction != to_server) {
      return Fail(where + ": unknown direction '" + direction + "' (expected " + from_server +
                  " or " + to_server + ")");
    }
    const int side = direction == from_server ? 0 : 1;
    auto bytes = ParseHex(line.substr(space + 1));
    if (!bytes.ok()) return Context(where, bytes.error());
    pending[side].insert(pending[side].end(), bytes->begin(), bytes->end());
    ++writes[side];
    const std::size_t at = protocol.length_offset();
    while (pending[side].size() >= protocol.header_size) {
      const std::size_t length =
          protocol.header_size + (pending[side][at] << 8 | pending[side][at + 1]);
      if (pending[side].size() < length) break;
      out.push_back(
          {side == 0, Bytes(pending[side].begin(), pending[side].begin() + length), writes[side]});
      pending[side].erase(pending[side].begin(), pending[side].begin() + length);
      writes[side] = 0;
    }
  }
  for (int side : {0, 1}) {
    if (!pending[side].empty()) {
      return Fail(path + ": " + std::to_string(pending[side].size()) +
                  " bytes left over at the end");
    }
  }
  return out;
}

}  // namespace opencapf::framed::testing
