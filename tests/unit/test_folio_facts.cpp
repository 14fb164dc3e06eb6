// The largest folio by file system and kernel version (sim/host/folio_facts.h), the
// fact calibrate writes as mm.folio.
#include <catch2/catch.hpp>

#include "sim/host/folio_facts.h"

using kiosim::host::largest_folio;

TEST_CASE("largest folio: ext4 has large folios from 6.16 (ext4_set_inode_mapping_order)", "[host][folio]") {
  // min(MAX_PAGECACHE_ORDER = 9, 11 + 12 - 12) = order 9: 512 pages of 4 KiB = 2 MiB.
  REQUIRE(largest_folio("ext4", "6.18.44-fc-v1045")->bytes == 2u << 20);
  REQUIRE(largest_folio("ext4", "6.16.0")->bytes == 2u << 20);
  REQUIRE(largest_folio("ext4", "6.15.9")->bytes == 4096);
  REQUIRE(largest_folio("ext4", "6.1.0-27-amd64")->bytes == 4096);
  REQUIRE(largest_folio("ext4", "7.0.1")->bytes == 2u << 20);
}

TEST_CASE("largest folio: xfs from 5.18; other file systems are not guessed", "[host][folio]") {
  REQUIRE(largest_folio("xfs", "5.18.0")->bytes == 2u << 20);
  REQUIRE(largest_folio("xfs", "5.17.3")->bytes == 4096);
  REQUIRE_FALSE(largest_folio("tmpfs", "6.18.0"));  // huge= decides, not the version
  REQUIRE_FALSE(largest_folio("btrfs", "6.18.0"));
  REQUIRE_FALSE(largest_folio("ext4", "garbage"));
  REQUIRE(largest_folio("ext4", "6.18.1")->why.find("6.16") != std::string::npos);
}
