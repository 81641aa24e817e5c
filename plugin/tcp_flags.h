/* tcp_flags.h — the TCP flag bits the analysis cores test, as on the wire.
 *
 * The cores (plain C + GLib + wsutil) do not include epan, where Wireshark
 * defines these bits (TH_* in epan/dissectors/packet-tcp.h); the glue hands
 * them TCP's own flags unchanged, and frame_facts.c checks at compile time
 * that these values are Wireshark's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_TCP_FLAGS_H
#define MCUDIAG_TCP_FLAGS_H

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

#endif
