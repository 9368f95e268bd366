"""Real traffic: loopback captures, network namespaces, the TUN driver, the kernel scenarios against Linux."""
