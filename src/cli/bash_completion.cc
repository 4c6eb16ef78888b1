#include "cli/bash_completion.h"

#include <sstream>
#include <vector>

namespace opencapf::cli {

namespace {

/// `text` as one single-quoted bash word.
std::string BashQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

/// The words after the program's name: "device add"; "" for the program itself. The script
/// finds the same key from what was typed.
std::string CommandKey(const CommandDoc& command) {
  return Joined(std::vector<std::string>(command.path.begin() + 1, command.path.end()));
}

std::string KeyWith(const std::string& key, const std::string& word) {
  return key.empty() ? word : key + " " + word;
}

/// What the script offers for a value: "choice WORDS...", "file", "dir", or "text" (a value,
/// with nothing to offer). Empty for a flag: it takes no value.
std::string ValueText(const OptionDoc& option) {
  switch (option.kind) {
    case ValueKind::kNone:
      return "";
    case ValueKind::kChoice:
      return "choice " + Joined(option.choices);
    case ValueKind::kFile:
      return "file";
    case ValueKind::kDirectory:
      return "dir";
    case ValueKind::kText:
      return "text";
  }
  return "text";
}

/// The case arms of each function the script asks, filled in one walk over the tree.
struct CompletionTables {
  std::ostringstream commands, flags, values, operands;

  static void Arm(std::ostringstream& out, const std::string& pattern, const std::string& reply) {
    out << "    " << pattern << ") echo " << BashQuote(reply) << " ;;\n";
  }

  void Add(const CommandDoc& command) {
    const std::string key = CommandKey(command);
    if (!command.subcommands.empty()) {
      std::vector<std::string> names;
      for (const auto& sub : command.subcommands) names.push_back(sub.path.back());
      Arm(commands, BashQuote(key), Joined(names));
    }
    std::vector<std::string> flag_names;
    for (const auto& option : command.options) {
      for (const auto& flag : option.flags) {
        flag_names.push_back(flag);
        const std::string value = ValueText(option);
        if (!value.empty()) Arm(values, BashQuote(KeyWith(key, flag)), value);
      }
    }
    flag_names.push_back("--help");
    Arm(flags, BashQuote(key), Joined(flag_names));
    for (std::size_t i = 0; i < command.positionals.size(); ++i) {
      const OptionDoc& positional = command.positionals[i];
      const std::string value = ValueText(positional);
      // A positional taking several words takes every word from its place on: after the exact
      // places of those before it, any index matches.
      const std::string pattern = positional.repeats ? BashQuote(KeyWith(key, "")) + "*"
                                                     : BashQuote(KeyWith(key, std::to_string(i)));
      Arm(operands, pattern, value);
    }
    for (const auto& sub : command.subcommands) Add(sub);
  }
};

constexpr const char* kScriptBody = R"BASH(
# The value of a flag, or an argument, from what _opencapf_value or _opencapf_operands said.
# File names one per line: a name may hold a blank.
_opencapf_reply() {
  local cur=$1 kind=$2
  shift 2
  case $kind in
    choice) COMPREPLY=($(compgen -W "$*" -- "$cur")) ;;
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      ;;
    dir)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      ;;
  esac
}

_opencapf() {
  local cur=${COMP_WORDS[COMP_CWORD]} path='' word value i operand=0 first=1 topic=''
  COMPREPLY=()
  # "opencapf help COMMAND...": the commands, as they would be typed without help.
  if ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[1]} == help ]]; then
    first=2 topic=1
  fi
  # The command typed so far, and how many arguments it has: flags' values are skipped
  # (--flag VALUE, or --flag = VALUE as bash splits --flag=VALUE).
  for ((i = first; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $operand -eq 0 && " $(_opencapf_commands "$path") " == *" $word "* ]]; then
      path=${path:+$path }$word
      continue
    fi
    if [[ $word == -* ]]; then
      value=$(_opencapf_value "${path:+$path }$word")
      if [[ -n $value ]]; then
        ((i++))
        [[ ${COMP_WORDS[i]} == = ]] && ((i++))
      fi
      continue
    fi
    ((operand++))
  done

  if [[ -n $topic ]]; then
    COMPREPLY=($(compgen -W "$(_opencapf_commands "$path")" -- "$cur"))
    return 0
  fi
  local flag=''
  # --flag=VALUE as one word (a COMP_WORDBREAKS without '='): the value, after the flag.
  if [[ $cur == --*=* ]]; then
    flag=${cur%%=*}
    value=$(_opencapf_value "${path:+$path }$flag")
    if [[ -n $value ]]; then
      _opencapf_reply "${cur#*=}" $value
      COMPREPLY=("${COMPREPLY[@]/#/$flag=}")
    fi
    return 0
  fi
  if ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == -* ]]; then
    flag=${COMP_WORDS[COMP_CWORD - 1]}
  elif ((COMP_CWORD >= 3)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
    flag=${COMP_WORDS[COMP_CWORD - 2]}
  fi
  [[ $cur == = ]] && cur=''
  if [[ -n $flag ]]; then
    value=$(_opencapf_value "${path:+$path }$flag")
    if [[ -n $value ]]; then
      _opencapf_reply "$cur" $value
      return 0
    fi
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_opencapf_flags "$path")" -- "$cur"))
    return 0
  fi
  value=$(_opencapf_commands "$path")
  if [[ -n $value && $operand -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$value" -- "$cur"))
    return 0
  fi
  value=$(_opencapf_operands "${path:+$path }$operand")
  [[ -n $value ]] && _opencapf_reply "$cur" $value
  return 0
}

complete -F _opencapf opencapf
)BASH";

}  // namespace

std::string BashCompletion(const CommandDoc& root) {
  CompletionTables tables;
  tables.Add(root);
  std::ostringstream out;
  out << "# bash completion for " << root.path[0]
      << ". Generated by 'opencapf completion bash' from opencapf's\n"
         "# command definitions: edit those, never this file.\n\n"
         "# The subcommands of a command (\"device\"; \"\" for opencapf itself).\n"
         "_opencapf_commands() {\n  case $1 in\n"
      << tables.commands.str()
      << "  esac\n}\n\n"
         "# The flags of a command.\n"
         "_opencapf_flags() {\n  case $1 in\n"
      << tables.flags.str()
      << "  esac\n}\n\n"
         "# What a command's flag takes (\"device add --auth\"): choice WORDS..., file, dir or "
         "text;\n# nothing for a flag without a value.\n"
         "_opencapf_value() {\n  case $1 in\n"
      << tables.values.str()
      << "  esac\n}\n\n"
         "# What a command's argument takes, by its place (\"itl diff 1\"): as _opencapf_value.\n"
         "_opencapf_operands() {\n  case $1 in\n"
      << tables.operands.str() << "  esac\n}\n"
      << kScriptBody;
  return out.str();
}

}  // namespace opencapf::cli
