-- retcp.lua: what a user's Lua script may do: hand IP protocol 6 to TCP again.
-- capture.intake runs tshark with it (-X lua_script:...) and expects every
-- lbsnat and c3pconn verdict unchanged.
-- SPDX-License-Identifier: GPL-2.0-or-later
DissectorTable.get("ip.proto"):add(6, Dissector.get("tcp"))
DissectorTable.get("ip.proto"):add(1, Dissector.get("icmp"))
