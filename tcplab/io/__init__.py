"""Files and packets: pcap reading and writing, conversion to and from scapy."""
