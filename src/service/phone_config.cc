#include "service/phone_config.h"

#include <pugixml.hpp>

#include <sstream>

#include "base/file.h"

namespace opencapf::service {

int CapfAuthModeCode(store::AuthMode mode) {
  switch (mode) {
    case store::AuthMode::kAuthString:
      return 1;
    case store::AuthMode::kNullString:
      return 2;
    case store::AuthMode::kExistingLsc:
      return 3;
    case store::AuthMode::kExistingMic:
      return 4;
  }
  return 2;
}

namespace {

// Sets <name>text</name> under `parent`, reusing the first such child and removing duplicates.
pugi::xml_node SetChild(pugi::xml_node parent, const char* name, const std::string& text) {
  pugi::xml_node child = parent.child(name);
  if (!child) child = parent.append_child(name);
  for (pugi::xml_node extra = child.next_sibling(name); extra;) {
    pugi::xml_node next = extra.next_sibling(name);
    parent.remove_child(extra);
    extra = next;
  }
  if (!text.empty()) {
    child.remove_children();
    child.text().set(text.c_str());
  }
  return child;
}

void Write(pugi::xml_node device, const store::Device& d, const CapfLocation& capf) {
  SetChild(device, "capfAuthMode", std::to_string(CapfAuthModeCode(d.auth)));
  pugi::xml_node list = SetChild(device, "capfList", "");
  pugi::xml_node entry = list.child("capf");
  if (!entry) entry = list.append_child("capf");
  SetChild(entry, "phonePort", std::to_string(capf.port));
  SetChild(entry, "processNodeName", capf.host);
}

}  // namespace

std::string CnfElements(const store::Device& device, const CapfLocation& capf) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("device");
  Write(root, device, capf);
  std::ostringstream out;
  for (pugi::xml_node child : root.children()) child.print(out, "  ");
  return out.str();
}

Status ApplyCnf(const std::filesystem::path& path, const store::Device& device,
                const CapfLocation& capf) {
  pugi::xml_document doc;
  if (std::filesystem::exists(path)) {
    // Keep comments, processing instructions and whitespace exactly: phones and other tools
    // wrote this file.
    pugi::xml_parse_result parsed = doc.load_file(
        path.c_str(), pugi::parse_default | pugi::parse_comments | pugi::parse_declaration |
                          pugi::parse_pi | pugi::parse_ws_pcdata_single);
    if (!parsed) {
      return Fail(path.string() + ": not well-formed XML at offset " +
                  std::to_string(parsed.offset) + " (" + parsed.description() +
                  "); fix or remove it, then apply again");
    }
  }
  pugi::xml_node root = doc.document_element();
  if (!root) {
    pugi::xml_node decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root = doc.append_child("device");
  }
  if (std::string(root.name()) != "device") {
    return Fail(path.string() + ": the root element is <" + root.name() +
                ">, a phone configuration's is <device>");
  }
  Write(root, device, capf);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  const std::string text = out.str();
  return WriteFileAtomic(path, Bytes(text.begin(), text.end()), 0644);
}

}  // namespace opencapf::service
