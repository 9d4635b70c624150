#!/usr/bin/perl
# pinglisten.pl PORTFILE LOG [HOLD]: a tiny HTTP server on 127.0.0.1 for
# the health pings of strongbox-job: it appends "METHOD PATH BODYBYTES" of
# each request to LOG and answers 200.  With HOLD, a request whose path ends
# in /start is answered only once the file HOLD exists (so that a test can
# keep a job inside its run).  Writes its port to PORTFILE when ready.
use strict;
use warnings;
use IO::Socket::INET;
my ($portfile, $log, $hold) = @ARGV;
# It ends by itself once the test's directory (LOG's) is gone, so that a
# failed test that never killed it leaves nothing running.
my $dir = $log =~ m{^(.*)/} ? $1 : '.';
my $srv = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
	LocalPort => 0, Proto => 'tcp', ReuseAddr => 1, Timeout => 2) or die "listen: $!";
open(my $pf, '>', "$portfile.tmp") or die; print $pf $srv->sockport, "\n"; close $pf;
rename("$portfile.tmp", $portfile) or die;
while (1) {
	my $c = $srv->accept;
	if (!$c) {
		exit 0 unless -d $dir;
		next;
	}
	my $line = <$c> // next;
	my ($method, $path) = split / /, $line;
	my $len = 0;
	while (my $h = <$c>) {
		last if $h =~ /^\r?\n$/;
		$len = $1 if $h =~ /^content-length:\s*(\d+)/i;
	}
	my $body = '';
	read($c, $body, $len) if $len;
	open(my $l, '>>', $log) or die; print $l "$method $path ", length($body), "\n"; close $l;
	if ($hold && $path =~ m{/start$}) {
		select(undef, undef, undef, 0.05) until -e $hold;
	}
	print $c "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK";
	close $c;
}
