// The DHCP packet socket on Linux: socket(2) with a BPF filter, sendto(2) to the Ethernet
// broadcast address, poll(2) and recvmsg(2) with the checksum status in PACKET_AUXDATA.
#include "sys/packet_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "sys/wait_for_events.h"

namespace nfsroot {

namespace {

constexpr std::uint16_t kClientPort = 68;

// Classic BPF over the IPv4 packet (SOCK_DGRAM strips the Ethernet header): protocol UDP, not
// a fragment, destination port 68.
Result<void> attach_filter(int fd, const std::string& name) {
  // Jump offsets count from the next instruction; "drop" is instruction 8.
  static const std::array<sock_filter, 9> program{{
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),                   // 0: A = IP protocol
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),  // 1: not UDP: drop
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),                   // 2: A = flags + fragment offset
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),      // 3: a later fragment: drop
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                  // 4: X = IP header length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                   // 5: A = UDP destination port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kClientPort, 0, 1),  // 6: not port 68: drop
      BPF_STMT(BPF_RET | BPF_K, 0xffff),                       // 7: accept
      BPF_STMT(BPF_RET | BPF_K, 0),                            // 8: drop
  }};
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    return std::unexpected(error_from_errno("attach DHCP socket filter", name, errno));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<LinuxPacketSocket>> LinuxPacketSocket::open(int interface_index, const std::string& interface_name) {
  UniqueFd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP)));
  if (!fd.valid()) {
    return std::unexpected(error_from_errno("open packet socket", interface_name, errno,
                                            "the kernel needs CONFIG_PACKET"));
  }
  TRY(attach_filter(fd.get(), interface_name));
  const int on = 1;
  // Ask for tpacket_auxdata to learn when a checksum is not filled in yet.
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0) {
    return std::unexpected(error_from_errno("enable PACKET_AUXDATA", interface_name, errno));
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_IP);
  address.sll_ifindex = interface_index;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(error_from_errno("bind packet socket", interface_name, errno));
  }
  return std::unique_ptr<LinuxPacketSocket>(new LinuxPacketSocket(std::move(fd), interface_index, interface_name));
}

Result<void> LinuxPacketSocket::send_broadcast(std::span<const std::byte> ip_packet) {
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_IP);
  to.sll_ifindex = index_;
  to.sll_halen = ETH_ALEN;
  std::memset(to.sll_addr, 0xff, ETH_ALEN);
  const ssize_t sent = ::sendto(fd_.get(), ip_packet.data(), ip_packet.size(), 0,
                                reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (sent < 0) return std::unexpected(error_from_errno("send DHCP packet", name_, errno));
  return {};
}

Result<std::optional<ReceivedFrame>> LinuxPacketSocket::receive(Clock::time_point deadline) {
  for (;;) {
    if (!TRY(wait_for_events(fd_.get(), POLLIN, deadline, name_))) return std::optional<ReceivedFrame>{};
    auto frame = TRY(receive_waiting());
    if (frame) return frame;
    // A frame that was not for us: a busy link must not keep the caller past its deadline.
    if (Clock::now() >= deadline) return std::optional<ReceivedFrame>{};
  }
}

Result<std::optional<ReceivedFrame>> LinuxPacketSocket::receive_waiting() {
  ReceivedFrame frame;
  frame.ip_packet.resize(4096);  // a DHCP reply fits; MSG_TRUNC tells when one did not
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(tpacket_auxdata))> control{};
  iovec vector{frame.ip_packet.data(), frame.ip_packet.size()};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  const ssize_t received = ::recvmsg(fd_.get(), &message, MSG_TRUNC | MSG_DONTWAIT);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<ReceivedFrame>{};
    return std::unexpected(error_from_errno("receive DHCP packet", name_, errno));
  }
  if (static_cast<std::size_t>(received) > frame.ip_packet.size()) {
    frame.ip_packet.clear();  // truncated: the parser rejects an empty frame with a reason
    return frame;
  }
  frame.ip_packet.resize(static_cast<std::size_t>(received));
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_PACKET && header->cmsg_type == PACKET_AUXDATA) {
      tpacket_auxdata auxdata{};
      std::memcpy(&auxdata, CMSG_DATA(header), sizeof auxdata);
      frame.checksum_not_ready = (auxdata.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
    }
  }
  return frame;
}

}  // namespace nfsroot
