/* bech32.c: see bech32.h. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "bech32.h"

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t GEN[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
		0x3d4233dd, 0x2a1462b3};
	uint32_t b = chk >> 25;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		if ((b >> i) & 1)
			chk ^= GEN[i];
	return chk;
}

/* The checksum state after the expanded human-readable part. */
static uint32_t
hrp_polymod(const char *hrp, size_t n)
{
	uint32_t chk = 1;

	for (size_t i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)tolower((unsigned char)hrp[i])
			>> 5);
	chk = polymod_step(chk, 0);
	for (size_t i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)tolower((unsigned char)hrp[i])
			& 31);
	return chk;
}

int
bech32_encode(const char *hrp, const unsigned char *data, size_t len,
	int upper, char *out, size_t outlen)
{
	size_t hn = strlen(hrp), ngroups = (len * 8 + 4) / 5, o = 0;
	uint32_t chk = hrp_polymod(hrp, hn), acc = 0;
	unsigned bits = 0;

	if (outlen < hn + 1 + ngroups + 6 + 1)
		return -1;
	for (size_t i = 0; i < hn; i++)
		out[o++] = hrp[i];
	out[o++] = '1';
	for (size_t i = 0; i <= len; i++) {
		if (i < len) {
			acc = (acc << 8) | data[i];
			bits += 8;
		} else if (bits) {
			acc <<= 5 - bits; /* zero padding */
			bits = 5;
		}
		while (bits >= 5) {
			unsigned v = (acc >> (bits - 5)) & 31;
			bits -= 5;
			chk = polymod_step(chk, v);
			out[o++] = CHARSET[v];
		}
	}
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (int i = 0; i < 6; i++)
		out[o++] = CHARSET[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (size_t i = 0; i < o; i++)
			out[i] = (char)toupper((unsigned char)out[i]);
	return 0;
}

int
bech32_decode(const char *s, const char *hrp, unsigned char *data,
	size_t maxlen, size_t *len, const char **why)
{
	size_t n = strlen(s), hn, ndata, o = 0;
	const char *sep = strrchr(s, '1');
	int lower = 0, upper = 0;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126) {
			*why = "a character outside printable ASCII";
			return -1;
		}
		lower |= islower(c) != 0;
		upper |= isupper(c) != 0;
	}
	if (lower && upper) {
		*why = "mixed case";
		return -1;
	}
	if (!sep || sep == s || (size_t)(s + n - sep) < 7) {
		*why = "not Bech32 (no separator or checksum)";
		return -1;
	}
	hn = (size_t)(sep - s);
	if (hn != strlen(hrp) || strncasecmp(s, hrp, hn) != 0) {
		*why = "the wrong kind of key (another prefix)";
		return -1;
	}
	chk = hrp_polymod(s, hn);
	ndata = n - hn - 1;
	for (size_t i = 0; i < ndata; i++) {
		const char *p = strchr(CHARSET, tolower((unsigned char)sep[1 + i]));
		unsigned v;
		if (!p || !*p) {
			*why = "a character outside the Bech32 set";
			return -1;
		}
		v = (unsigned)(p - CHARSET);
		chk = polymod_step(chk, v);
		if (i >= ndata - 6)
			continue;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == maxlen) {
				*why = "too long";
				return -1;
			}
			data[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (chk != 1) {
		*why = "a bad checksum (a typo?)";
		return -1;
	}
	if (bits >= 5 || acc != 0) {
		*why = "bad padding";
		return -1;
	}
	*len = o;
	return 0;
}
