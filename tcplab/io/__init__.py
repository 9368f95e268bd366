"""Files and packets: pcap files, traces as JSON, the shipped recordings, conversion to and from scapy."""
