# SPDX-License-Identifier: GPL-2.0-or-later
# cmake -DOWN=ours -DGLOBAL=wireshark's -DOUT=result -P join-colorfilters.cmake
# The profile's rules first, then Wireshark's global rules without their
# "DO NOT EDIT" header (GLOBAL may be empty or NOTFOUND: then ours alone).
file(READ "${OWN}" text)
if(GLOBAL AND EXISTS "${GLOBAL}")
  file(STRINGS "${GLOBAL}" rules REGEX "^[@!]")
  string(APPEND text "# Wireshark's own rules (${GLOBAL}):\n")
  foreach(rule IN LISTS rules)
    string(APPEND text "${rule}\n")
  endforeach()
endif()
file(WRITE "${OUT}" "${text}")
