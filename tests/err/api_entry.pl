#!/usr/bin/env perl
# api_entry.pl SRCDIR: the error discipline of issue 13, checked on the source.
#  - every public function (ACTLAB_API in include/actlab/*.h) whose result is a status is
#    declared al_status: an `int` result is allowed only for the functions listed below, which
#    return a length, a truth value or a number;
#  - every public al_status function has a definition under src/ whose first line is
#    AL_API_ENTRY; (so that a successful call clears the last error message).
# Prints each violation; exit status 1 if there is one.
use strict;
use warnings;
use File::Find;

my $src = shift or die "usage: api_entry.pl SRCDIR\n";
my %int_ok = map { $_ => 1 } qw(act_format act_equal act_isa_supported nn_diag_relu_family
                                al_version_number al_name_eq);
# al_set_error records a message: it is the one status function that must not clear it
my %no_entry = (al_set_error => 1);
my (%status, $bad);
for my $h (glob "$src/include/actlab/*.h") {
    next if $h =~ /deprecated/;
    open my $f, '<', $h or die "$h: $!\n";
    local $/;
    my $text = <$f>;
    while ($text =~ /ACTLAB_API\s+(?:ACTLAB_DEPRECATED\([^)]*\)\s+)?(\w+)\s+(\w+)\s*\(/g) {
        my ($type, $name) = ($1, $2);
        $status{$name} = $h if $type eq 'al_status';
        if ($type eq 'int' && !$int_ok{$name}) {
            print "$h: $name returns int; a status is al_status\n";
            $bad = 1;
        }
    }
}
my %entry;
find(sub {
    return unless /\.c$/ && $File::Find::name !~ m{/src/cli/};
    open my $f, '<', $_ or die "$File::Find::name: $!\n";
    local $/;
    my $text = <$f>;
    while ($text =~ /^al_status\s+(\w+)\(([^;{]*?)\)\n\{\n(.*)\n/mg) {
        my ($name, $first) = ($1, $3);
        $entry{$name} = $first =~ /^\s+AL_API_ENTRY;$/ ? 'ok' : $File::Find::name;
    }
}, "$src/src");
my $n = keys %status;
if ($n < 50) {
    print "only $n public al_status functions found: the header pattern no longer matches\n";
    $bad = 1;
}
for my $name (sort keys %status) {
    next if $no_entry{$name};
    my $e = $entry{$name};
    if (!defined $e) {
        print "$name ($status{$name}): no definition 'al_status $name(...)' found under src/\n";
        $bad = 1;
    } elsif ($e ne 'ok') {
        print "$e: $name does not start with AL_API_ENTRY;\n";
        $bad = 1;
    }
}
print $bad ? "api_entry: FAILED\n" : "api_entry: $n public al_status functions, all with AL_API_ENTRY\n";
exit($bad ? 1 : 0);
