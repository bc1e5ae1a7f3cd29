// rtnetlink requests and replies, every length and offset checked by hand.
#include "net/rtnetlink.h"

#include <cstring>
#include <string>

#include "base/cat.h"

namespace nfsroot::rtnetlink {

namespace {

// The UAPI numbers, spelled out: <linux/rtnetlink.h> and <net/if.h> clash, and a codec that
// names every number it writes is easier to check against the golden bytes of the tests.
constexpr std::size_t kAlign = 4;  // NLMSG_ALIGNTO, RTA_ALIGNTO
constexpr std::size_t kHeaderSize = 16;  // struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32
constexpr std::size_t kIfinfoSize = 16;  // struct ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32
constexpr std::size_t kIfaddrSize = 8;   // struct ifaddrmsg: family, prefixlen, flags, scope u8; index u32
constexpr std::size_t kRtmsgSize = 12;   // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type u8; flags u32
constexpr std::size_t kAttributeHeader = 4;  // struct rtattr / nlattr: len u16, type u16
constexpr std::size_t kErrorSize = 4;        // struct nlmsgerr starts with error s32

constexpr std::uint16_t NLMSG_NOOP_ = 1;
constexpr std::uint16_t NLMSG_ERROR_ = 2;
constexpr std::uint16_t NLMSG_DONE_ = 3;
constexpr std::uint16_t RTM_NEWLINK_ = 16;
constexpr std::uint16_t RTM_GETLINK_ = 18;
constexpr std::uint16_t RTM_SETLINK_ = 19;
constexpr std::uint16_t RTM_NEWADDR_ = 20;
constexpr std::uint16_t RTM_GETADDR_ = 22;
constexpr std::uint16_t RTM_NEWROUTE_ = 24;

constexpr std::uint16_t NLM_F_REQUEST_ = 0x1;
constexpr std::uint16_t NLM_F_ACK_ = 0x4;
constexpr std::uint16_t NLM_F_DUMP_ = 0x300;  // NLM_F_ROOT | NLM_F_MATCH
constexpr std::uint16_t NLM_F_EXCL_ = 0x200;
constexpr std::uint16_t NLM_F_CREATE_ = 0x400;

constexpr std::uint16_t IFLA_ADDRESS_ = 1;
constexpr std::uint16_t IFLA_IFNAME_ = 3;
constexpr std::uint16_t IFLA_MTU_ = 4;
constexpr std::uint16_t IFLA_LINK_ = 5;
constexpr std::uint16_t IFLA_MASTER_ = 10;
constexpr std::uint16_t IFLA_LINKINFO_ = 18;
constexpr std::uint16_t IFLA_INFO_KIND_ = 1;
constexpr std::uint16_t IFLA_INFO_DATA_ = 2;
constexpr std::uint16_t IFLA_VLAN_ID_ = 1;
constexpr std::uint16_t IFLA_EXT_MASK_ = 29;
constexpr std::uint32_t RTEXT_FILTER_VF_ = 1;
constexpr std::uint16_t IFA_ADDRESS_ = 1;
constexpr std::uint16_t IFA_LOCAL_ = 2;
constexpr std::uint16_t IFA_FLAGS_ = 8;
constexpr std::uint16_t IFA_BROADCAST_ = 4;
constexpr std::uint16_t RTA_DST_ = 1;
constexpr std::uint16_t RTA_OIF_ = 4;
constexpr std::uint16_t RTA_GATEWAY_ = 5;
constexpr std::uint16_t RTA_TABLE_ = 15;
// NLA_F_NESTED and NLA_F_NET_BYTEORDER ride in the type's top bits (netlink.h NLA_TYPE_MASK).
constexpr std::uint16_t kAttributeTypeMask = 0x3fff;

constexpr std::uint8_t AF_UNSPEC_ = 0;
constexpr std::uint8_t AF_INET_ = 2;
constexpr std::uint8_t AF_INET6_ = 10;
constexpr std::uint16_t ARPHRD_ETHER_ = 1;
constexpr std::uint16_t ARPHRD_LOOPBACK_ = 772;
constexpr std::uint16_t ARPHRD_NONE_ = 0xfffe;
constexpr std::uint32_t IFF_UP_ = 0x1;
constexpr std::uint32_t IFF_LOOPBACK_ = 0x8;
constexpr std::uint8_t RT_TABLE_MAIN_ = 254;
constexpr std::uint8_t RTPROT_BOOT_ = 3;
constexpr std::uint8_t RT_SCOPE_UNIVERSE_ = 0;
constexpr std::uint8_t RT_SCOPE_HOST_ = 254;
constexpr std::uint8_t RTN_UNICAST_ = 1;
constexpr std::size_t kNameMax = 15;  // IFNAMSIZ - 1
constexpr int kMaxErrno = 4095;       // the kernel's MAX_ERRNO

constexpr std::size_t align(std::size_t length) { return (length + kAlign - 1) & ~(kAlign - 1); }

// Explicit loads and stores in host order (memcpy: no alignment assumed, no aliasing).
template <class T>
T load(std::span<const std::byte> bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

template <class T>
void store(std::span<std::byte> bytes, std::size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

// IPv4 addresses in attributes are in network byte order.
void store_ipv4(std::span<std::byte> bytes, std::size_t at, Ipv4Address address) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::byte>(address.value >> (24 - 8 * i));
}

// Appends to a caller's buffer; remembers that it ran out instead of writing past it.
class Writer {
 public:
  explicit Writer(std::span<std::byte> buffer) : buffer_(buffer) {}

  // nlmsghdr; nlmsg_len is filled in by finish(), nlmsg_pid 0 (the kernel sets the sender).
  void header(std::uint16_t type, std::uint16_t flags, std::uint32_t sequence) {
    if (!reserve(kHeaderSize)) return;
    store<std::uint16_t>(buffer_, 4, type);
    store<std::uint16_t>(buffer_, 6, flags);
    store<std::uint32_t>(buffer_, 8, sequence);
    store<std::uint32_t>(buffer_, 12, 0);
    length_ = kHeaderSize;
  }
  // A zeroed family header (ifinfomsg, ifaddrmsg, rtmsg) the caller fills at the returned offset.
  std::size_t fixed(std::size_t size) {
    const std::size_t at = length_;
    if (!reserve(length_ + align(size))) return at;
    length_ += align(size);
    return at;
  }
  void attribute(std::uint16_t type, std::span<const std::byte> payload) {
    const std::size_t at = length_;
    const std::size_t total = kAttributeHeader + payload.size();
    if (!reserve(length_ + align(total))) return;
    store<std::uint16_t>(buffer_, at, static_cast<std::uint16_t>(total));
    store<std::uint16_t>(buffer_, at + 2, type);
    if (!payload.empty()) std::memcpy(buffer_.data() + at + kAttributeHeader, payload.data(), payload.size());
    length_ += align(total);
  }
  void attribute_u32(std::uint16_t type, std::uint32_t value) {
    std::byte bytes[4];
    std::memcpy(bytes, &value, 4);
    attribute(type, bytes);
  }
  void attribute_ipv4(std::uint16_t type, Ipv4Address address) {
    std::byte bytes[4];
    store_ipv4(bytes, 0, address);
    attribute(type, bytes);
  }
  void attribute_ipv6(std::uint16_t type, const Ipv6Address& address) {
    attribute(type, std::as_bytes(std::span(address.octets)));
  }
  // A nested attribute: open it, add its attributes, close it with the offset open returned,
  // which fills in its length. No NLA_F_NESTED, as iproute2's addattr_nest(): the kernel's
  // policies for IFLA_LINKINFO and IFLA_INFO_DATA predate strict checking and take either.
  std::size_t open_nested(std::uint16_t type) {
    const std::size_t at = length_;
    attribute(type, {});
    return at;
  }
  void close_nested(std::size_t at) {
    if (!overflow_) store<std::uint16_t>(buffer_, at, static_cast<std::uint16_t>(length_ - at));
  }
  std::span<std::byte> bytes() { return buffer_; }

  Result<std::size_t> finish(std::string_view what) {
    if (overflow_) {
      return std::unexpected(error_with_problem("build netlink request", what,
                                                cat("the buffer of ", buffer_.size(), " bytes is too small")));
    }
    store<std::uint32_t>(buffer_, 0, static_cast<std::uint32_t>(length_));
    return length_;
  }

 private:
  bool reserve(std::size_t end) {
    if (overflow_ || end > buffer_.size()) {
      overflow_ = true;
      return false;
    }
    std::memset(buffer_.data() + length_, 0, end - length_);
    return true;
  }

  std::span<std::byte> buffer_;
  std::size_t length_ = 0;
  bool overflow_ = false;
};

void put_u8(Writer& writer, std::size_t at, std::uint8_t value) {
  if (at < writer.bytes().size()) writer.bytes()[at] = static_cast<std::byte>(value);
}

// The ifinfomsg of a link change (libnl: family AF_UNSPEC, type 0, the link's index).
Result<std::size_t> build_link_change(std::span<std::byte> buffer, std::uint32_t sequence, int index,
                                      std::uint32_t flags, std::uint32_t change, std::optional<std::uint32_t> mtu,
                                      std::string_view what) {
  Writer writer(buffer);
  writer.header(RTM_NEWLINK_, NLM_F_REQUEST_ | NLM_F_ACK_, sequence);
  const std::size_t at = writer.fixed(kIfinfoSize);
  if (at + kIfinfoSize <= buffer.size()) {
    store<std::int32_t>(buffer, at + 4, index);
    store<std::uint32_t>(buffer, at + 8, flags);
    store<std::uint32_t>(buffer, at + 12, change);
  }
  if (mtu) writer.attribute_u32(IFLA_MTU_, *mtu);
  return writer.finish(what);
}

Error malformed(std::size_t offset, const std::string& problem) {
  return error_with_problem("parse netlink reply", cat("byte ", offset), problem);
}

// Walks the attributes of one message from `at` to its end, each checked to fit the message:
// visit(type, payload, offset) for each. The next one starts aligned; the padding of the last
// may be cut off (RTA_NEXT).
template <class Visit>
Result<void> for_each_attribute(std::span<const std::byte> message, std::size_t at, std::size_t base, Visit visit) {
  while (message.size() - at >= kAttributeHeader) {
    const std::size_t length = load<std::uint16_t>(message, at);
    const std::uint16_t type = load<std::uint16_t>(message, at + 2) & kAttributeTypeMask;
    if (length < kAttributeHeader || length > message.size() - at) {
      return std::unexpected(
          malformed(base + at, cat("attribute ", type, " of length ", length, " does not fit its message")));
    }
    TRY(visit(type, message.subspan(at + kAttributeHeader, length - kAttributeHeader), base + at));
    at += std::min(align(length), message.size() - at);
  }
  if (at != message.size()) return std::unexpected(malformed(base + at, "trailing bytes after the last attribute"));
  return {};
}

// The attributes of one RTM_NEWLINK, from `at` to the end of `message`.
Result<void> parse_link_attributes(std::span<const std::byte> message, std::size_t at, std::size_t base,
                                   LinkInfo& link) {
  return for_each_attribute(message, at, base, [&](std::uint16_t type, std::span<const std::byte> payload,
                                                   std::size_t offset) -> Result<void> {
    if (type == IFLA_IFNAME_) {
      std::size_t size = 0;
      while (size < payload.size() && payload[size] != std::byte{0}) ++size;
      if (size == 0 || size > kNameMax) {
        return std::unexpected(malformed(offset, cat("interface name of ", size, " bytes")));
      }
      link.name.assign(reinterpret_cast<const char*>(payload.data()), size);
    } else if (type == IFLA_MTU_) {
      if (payload.size() < 4) return std::unexpected(malformed(offset, "IFLA_MTU shorter than 4 bytes"));
      link.mtu = load<std::uint32_t>(payload, 0);
    } else if (type == IFLA_ADDRESS_) {
      // Only an Ethernet (6-byte) hardware address is a MAC to us; others (an InfiniBand or a
      // tunnel's) leave it unset, as before.
      if (payload.size() == 6) {
        MacAddress mac;
        std::memcpy(mac.octets.data(), payload.data(), 6);
        link.mac = mac;
      }
    }
    return {};
  });
}

// The attributes of one RTM_NEWADDR of AF_INET6 (inet6_fill_ifaddr()): IFA_ADDRESS is the
// address, unless IFA_LOCAL is there too (a point-to-point peer in IFA_ADDRESS); IFA_FLAGS, when
// sent, holds all 32 flag bits where ifa_flags holds the low 8.
Result<void> parse_address6_attributes(std::span<const std::byte> message, std::size_t at, std::size_t base,
                                       Address6Info& address) {
  bool have_address = false;
  bool have_local = false;
  TRY(for_each_attribute(message, at, base, [&](std::uint16_t type, std::span<const std::byte> payload,
                                                std::size_t offset) -> Result<void> {
    if (type == IFA_ADDRESS_ || type == IFA_LOCAL_) {
      if (payload.size() != 16) {
        return std::unexpected(malformed(offset, cat("IPv6 address attribute of ", payload.size(), " bytes")));
      }
      if (type == IFA_LOCAL_ || !have_local) std::memcpy(address.address.octets.data(), payload.data(), 16);
      (type == IFA_LOCAL_ ? have_local : have_address) = true;
    } else if (type == IFA_FLAGS_) {
      if (payload.size() < 4) return std::unexpected(malformed(offset, "IFA_FLAGS shorter than 4 bytes"));
      address.flags = load<std::uint32_t>(payload, 0);
    }
    return {};
  }));
  if (!have_address && !have_local) return std::unexpected(malformed(base, "RTM_NEWADDR without an address"));
  return {};
}

}  // namespace

Result<std::size_t> build_list_links(std::span<std::byte> buffer, std::uint32_t sequence) {
  Writer writer(buffer);
  writer.header(RTM_GETLINK_, NLM_F_REQUEST_ | NLM_F_ACK_ | NLM_F_DUMP_, sequence);
  const std::size_t at = writer.fixed(kIfinfoSize);
  put_u8(writer, at, AF_UNSPEC_);
  writer.attribute_u32(IFLA_EXT_MASK_, RTEXT_FILTER_VF_);
  return writer.finish("RTM_GETLINK dump");
}

Result<std::size_t> build_list_addresses6(std::span<std::byte> buffer, std::uint32_t sequence) {
  Writer writer(buffer);
  writer.header(RTM_GETADDR_, NLM_F_REQUEST_ | NLM_F_ACK_ | NLM_F_DUMP_, sequence);
  const std::size_t at = writer.fixed(kIfaddrSize);
  put_u8(writer, at, AF_INET6_);
  return writer.finish("RTM_GETADDR dump");
}

Result<std::size_t> build_set_link_up(std::span<std::byte> buffer, std::uint32_t sequence, const LinkInfo& link,
                                      bool up) {
  const std::uint32_t flags = (link.flags & ~IFF_UP_) | (up ? IFF_UP_ : 0);
  return build_link_change(buffer, sequence, link.index, flags, IFF_UP_, std::nullopt, "RTM_NEWLINK IFF_UP");
}

Result<std::size_t> build_set_mtu(std::span<std::byte> buffer, std::uint32_t sequence, const LinkInfo& link,
                                  std::uint32_t mtu) {
  return build_link_change(buffer, sequence, link.index, 0, 0, mtu, "RTM_NEWLINK IFLA_MTU");
}

namespace {

// RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, for a new link of `kind`, down: ifinfomsg all zero,
// IFLA_LINK when it sits on another link, IFLA_IFNAME, IFLA_LINKINFO with IFLA_INFO_KIND (no
// NUL, as iproute2 sends it) and, for a VLAN, IFLA_INFO_DATA holding IFLA_VLAN_ID.
Result<std::size_t> build_new_link(std::span<std::byte> buffer, std::uint32_t sequence, std::string_view name,
                                   std::string_view kind, std::optional<int> parent_index,
                                   std::optional<std::uint16_t> vlan_id) {
  if (name.empty() || name.size() > kNameMax || name.find('\0') != std::string_view::npos) {
    return std::unexpected(error_with_problem("build netlink request", cat("new ", kind, " link ", name),
                                              "an interface name is 1 to 15 bytes"));
  }
  Writer writer(buffer);
  writer.header(RTM_NEWLINK_, NLM_F_REQUEST_ | NLM_F_ACK_ | NLM_F_CREATE_ | NLM_F_EXCL_, sequence);
  writer.fixed(kIfinfoSize);  // AF_UNSPEC, no index, no flags: a new link, down
  if (parent_index) writer.attribute_u32(IFLA_LINK_, static_cast<std::uint32_t>(*parent_index));
  std::byte name_bytes[kNameMax + 1]{};
  std::memcpy(name_bytes, name.data(), name.size());
  writer.attribute(IFLA_IFNAME_, std::span<const std::byte>(name_bytes, name.size() + 1));
  const std::size_t info = writer.open_nested(IFLA_LINKINFO_);
  writer.attribute(IFLA_INFO_KIND_, std::as_bytes(std::span(kind.data(), kind.size())));
  if (vlan_id) {
    const std::size_t data = writer.open_nested(IFLA_INFO_DATA_);
    std::byte id_bytes[2];
    std::memcpy(id_bytes, &*vlan_id, 2);
    writer.attribute(IFLA_VLAN_ID_, id_bytes);
    writer.close_nested(data);
  }
  writer.close_nested(info);
  return writer.finish(cat("RTM_NEWLINK ", kind));
}

}  // namespace

Result<std::size_t> build_add_vlan(std::span<std::byte> buffer, std::uint32_t sequence, int parent_index,
                                   std::string_view name, std::uint16_t vlan_id) {
  if (vlan_id == 0 || vlan_id > 4094) {
    return std::unexpected(error_with_problem("build netlink request", cat("VLAN ", name, " id ", vlan_id),
                                              "a VLAN id is 1 to 4094"));
  }
  return build_new_link(buffer, sequence, name, "vlan", parent_index, vlan_id);
}

Result<std::size_t> build_add_bond(std::span<std::byte> buffer, std::uint32_t sequence, std::string_view name) {
  return build_new_link(buffer, sequence, name, "bond", std::nullopt, std::nullopt);
}

Result<std::size_t> build_set_master(std::span<std::byte> buffer, std::uint32_t sequence, const LinkInfo& link,
                                     int master_index) {
  Writer writer(buffer);
  writer.header(RTM_NEWLINK_, NLM_F_REQUEST_ | NLM_F_ACK_, sequence);
  const std::size_t at = writer.fixed(kIfinfoSize);
  if (at + kIfinfoSize <= buffer.size()) store<std::int32_t>(buffer, at + 4, link.index);
  writer.attribute_u32(IFLA_MASTER_, static_cast<std::uint32_t>(master_index));
  return writer.finish("RTM_NEWLINK IFLA_MASTER");
}

void change_to_setlink(std::span<std::byte> message) {
  if (message.size() >= kHeaderSize && load<std::uint16_t>(message, 4) == RTM_NEWLINK_) {
    store<std::uint16_t>(message, 4, RTM_SETLINK_);
  }
}

namespace {

// RTM_NEWADDR's header and ifaddrmsg (ifa_flags 0), the prefix length checked against the
// family's address bits.
Result<void> begin_add_address(Writer& writer, std::span<std::byte> buffer, std::uint32_t sequence,
                               std::uint8_t family, int prefix_length, std::uint8_t scope, int link_index) {
  const int bits = family == AF_INET6_ ? 128 : 32;
  if (prefix_length < 0 || prefix_length > bits) {
    return std::unexpected(error_with_problem("build netlink request", cat("prefix length ", prefix_length),
                                              cat("not between 0 and ", bits)));
  }
  writer.header(RTM_NEWADDR_, NLM_F_REQUEST_ | NLM_F_ACK_ | NLM_F_CREATE_, sequence);
  const std::size_t at = writer.fixed(kIfaddrSize);
  put_u8(writer, at, family);
  put_u8(writer, at + 1, static_cast<std::uint8_t>(prefix_length));
  put_u8(writer, at + 3, scope);
  if (at + kIfaddrSize <= buffer.size()) store<std::uint32_t>(buffer, at + 4, static_cast<std::uint32_t>(link_index));
  return {};
}

// RTM_NEWROUTE's header and rtmsg for a default route: dst_len, src_len, tos 0, the main table,
// protocol boot, scope universe, type unicast, rtm_flags 0.
void begin_add_default_route(Writer& writer, std::uint32_t sequence, std::uint8_t family) {
  writer.header(RTM_NEWROUTE_, NLM_F_REQUEST_ | NLM_F_ACK_ | NLM_F_CREATE_, sequence);
  const std::size_t at = writer.fixed(kRtmsgSize);
  put_u8(writer, at, family);
  put_u8(writer, at + 4, RT_TABLE_MAIN_);
  put_u8(writer, at + 5, RTPROT_BOOT_);
  put_u8(writer, at + 6, RT_SCOPE_UNIVERSE_);
  put_u8(writer, at + 7, RTN_UNICAST_);
}

}  // namespace

Result<std::size_t> build_add_address(std::span<std::byte> buffer, std::uint32_t sequence, int link_index,
                                      Ipv4Address address, int prefix_length, Ipv4Address broadcast) {
  Writer writer(buffer);
  // The scope as libnl's build_addr_msg() guesses it when none is set.
  const std::uint8_t scope = (address.value >> 24) == 127 ? RT_SCOPE_HOST_ : RT_SCOPE_UNIVERSE_;
  TRY(begin_add_address(writer, buffer, sequence, AF_INET_, prefix_length, scope, link_index));
  writer.attribute_ipv4(IFA_LOCAL_, address);
  writer.attribute_ipv4(IFA_ADDRESS_, address);
  writer.attribute_ipv4(IFA_BROADCAST_, broadcast);
  return writer.finish("RTM_NEWADDR");
}

Result<std::size_t> build_add_default_route(std::span<std::byte> buffer, std::uint32_t sequence, int link_index,
                                            Ipv4Address gateway) {
  Writer writer(buffer);
  begin_add_default_route(writer, sequence, AF_INET_);
  writer.attribute_u32(RTA_TABLE_, RT_TABLE_MAIN_);
  writer.attribute_ipv4(RTA_DST_, Ipv4Address{});
  writer.attribute_ipv4(RTA_GATEWAY_, gateway);
  writer.attribute_u32(RTA_OIF_, static_cast<std::uint32_t>(link_index));
  return writer.finish("RTM_NEWROUTE");
}

Result<std::size_t> build_add_address6(std::span<std::byte> buffer, std::uint32_t sequence, int link_index,
                                       const Ipv6Address& address, int prefix_length) {
  Writer writer(buffer);
  // ifa_flags 0: duplicate address detection runs. Scope 0: the kernel derives an IPv6
  // address's scope from the address itself (ipv6_addr_scope()).
  TRY(begin_add_address(writer, buffer, sequence, AF_INET6_, prefix_length, RT_SCOPE_UNIVERSE_, link_index));
  writer.attribute_ipv6(IFA_LOCAL_, address);
  writer.attribute_ipv6(IFA_ADDRESS_, address);
  return writer.finish("RTM_NEWADDR");
}

Result<std::size_t> build_add_default_route6(std::span<std::byte> buffer, std::uint32_t sequence, int link_index,
                                             const Ipv6Address& gateway) {
  Writer writer(buffer);
  begin_add_default_route(writer, sequence, AF_INET6_);
  writer.attribute_ipv6(RTA_DST_, Ipv6Address{});
  writer.attribute_ipv6(RTA_GATEWAY_, gateway);
  writer.attribute_u32(RTA_OIF_, static_cast<std::uint32_t>(link_index));
  return writer.finish("RTM_NEWROUTE");
}

Result<std::vector<Message>> parse_messages(std::span<const std::byte> datagram) {
  std::vector<Message> messages;
  std::size_t at = 0;
  while (at < datagram.size()) {
    if (datagram.size() - at < kHeaderSize) {
      return std::unexpected(malformed(at, cat(datagram.size() - at, " bytes, shorter than a header")));
    }
    const std::size_t length = load<std::uint32_t>(datagram, at);
    if (length < kHeaderSize || length > datagram.size() - at) {
      return std::unexpected(
          malformed(at, cat("message length ", length, " with ", datagram.size() - at, " bytes left")));
    }
    const auto message = datagram.subspan(at, length);
    Message parsed;
    parsed.type = load<std::uint16_t>(message, 4);
    parsed.flags = load<std::uint16_t>(message, 6);
    parsed.sequence = load<std::uint32_t>(message, 8);
    const auto payload = message.subspan(kHeaderSize);
    switch (parsed.type) {
      case NLMSG_ERROR_: {
        // struct nlmsgerr: the error, then the request's header (and more with extended acks).
        if (payload.size() < kErrorSize) return std::unexpected(malformed(at, "NLMSG_ERROR without an error code"));
        const std::int32_t code = load<std::int32_t>(payload, 0);
        if (code > 0 || code < -kMaxErrno) {
          return std::unexpected(malformed(at, cat("NLMSG_ERROR code ", code, " is not an errno")));
        }
        parsed.kind = code == 0 ? Message::Kind::Ack : Message::Kind::Error;
        parsed.error = -code;
        break;
      }
      case NLMSG_DONE_: {
        // A dump that failed half-way says so in NLMSG_DONE's payload (netlink_dump_done()).
        parsed.kind = Message::Kind::Done;
        if (payload.size() >= kErrorSize) {
          const std::int32_t code = load<std::int32_t>(payload, 0);
          if (code > 0 || code < -kMaxErrno) {
            return std::unexpected(malformed(at, cat("NLMSG_DONE code ", code, " is not an errno")));
          }
          parsed.error = -code;
        }
        break;
      }
      case RTM_NEWLINK_: {
        if (payload.size() < kIfinfoSize) {
          return std::unexpected(
              malformed(at, cat("RTM_NEWLINK of ", payload.size(), " bytes, shorter than ifinfomsg")));
        }
        parsed.kind = Message::Kind::Link;
        const std::uint16_t hardware_type = load<std::uint16_t>(payload, 2);
        parsed.link.index = load<std::int32_t>(payload, 4);
        parsed.link.flags = load<std::uint32_t>(payload, 8);
        TRY(parse_link_attributes(message, kHeaderSize + kIfinfoSize, at, parsed.link));
        // The kernel names every link it describes (rtnl_fill_ifinfo() always puts IFLA_IFNAME).
        if (parsed.link.name.empty()) return std::unexpected(malformed(at, "RTM_NEWLINK without IFLA_IFNAME"));
        parsed.link.ethernet = hardware_type == ARPHRD_ETHER_ && (parsed.link.flags & IFF_LOOPBACK_) == 0;
        break;
      }
      case RTM_NEWADDR_: {
        if (payload.size() < kIfaddrSize) {
          return std::unexpected(
              malformed(at, cat("RTM_NEWADDR of ", payload.size(), " bytes, shorter than ifaddrmsg")));
        }
        // IPv4 addresses are not read: the boot sets them and never waits on them.
        if (std::to_integer<std::uint8_t>(payload[0]) != AF_INET6_) break;
        parsed.kind = Message::Kind::Address6;
        parsed.address6.prefix_length = std::to_integer<std::uint8_t>(payload[1]);
        parsed.address6.flags = std::to_integer<std::uint8_t>(payload[2]);
        parsed.address6.scope = std::to_integer<std::uint8_t>(payload[3]);
        parsed.address6.link_index = static_cast<int>(load<std::uint32_t>(payload, 4));
        if (parsed.address6.prefix_length > 128) {
          return std::unexpected(malformed(at, cat("IPv6 prefix length ", parsed.address6.prefix_length)));
        }
        TRY(parse_address6_attributes(message, kHeaderSize + kIfaddrSize, at, parsed.address6));
        break;
      }
      default:
        (void)NLMSG_NOOP_;
        parsed.kind = Message::Kind::Other;
        break;
    }
    messages.push_back(std::move(parsed));
    // Messages in one datagram start aligned; the last one's padding may be absent.
    at += std::min(align(length), datagram.size() - at);
  }
  return messages;
}

std::vector<std::byte> encode_link_message(const LinkInfo& link, std::uint32_t sequence, std::uint16_t flags) {
  std::vector<std::byte> buffer(kHeaderSize + kIfinfoSize + 3 * kAttributeHeader + 8 + align(kNameMax + 1) + 4);
  Writer writer(buffer);
  writer.header(RTM_NEWLINK_, flags, sequence);
  const std::size_t at = writer.fixed(kIfinfoSize);
  const std::uint16_t type =
      link.ethernet ? ARPHRD_ETHER_ : ((link.flags & IFF_LOOPBACK_) != 0 ? ARPHRD_LOOPBACK_ : ARPHRD_NONE_);
  store<std::uint16_t>(buffer, at + 2, type);
  store<std::int32_t>(buffer, at + 4, link.index);
  store<std::uint32_t>(buffer, at + 8, link.flags);
  if (link.mac) writer.attribute(IFLA_ADDRESS_, std::as_bytes(std::span(link.mac->octets)));
  if (!link.name.empty()) {
    std::string name = link.name.substr(0, kNameMax);
    name.push_back('\0');
    writer.attribute(IFLA_IFNAME_, std::as_bytes(std::span(name)));
  }
  writer.attribute_u32(IFLA_MTU_, link.mtu);
  const std::size_t length = writer.finish("RTM_NEWLINK").value_or(0);
  buffer.resize(length);
  return buffer;
}

}  // namespace nfsroot::rtnetlink
