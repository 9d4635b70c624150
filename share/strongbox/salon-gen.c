/*
 * salon-gen: writes realistic, deterministic data for the reference salon
 * schema (salon-schema.sql) as a psql script of COPY blocks, for strongbox's
 * tests, demo and benchmarks:
 *
 *   psql -f salon-schema.sql db && salon-gen --scale 2 | psql -X -q db
 *
 * The same --seed, --scale, --days and --end give the same bytes on every
 * machine: all randomness comes from one seeded generator, arithmetic on
 * money is integer, and nothing reads the clock or the locale.
 *
 * Scale 1 is one busy salon for a year (about 40 bills a day, 2,500
 * customers); the transactional tables grow linearly with the scale.
 *
 * How: the tables are written one after the other, parents first.  The
 * transactional tables are simulated day by day; each COPY block re-runs
 * the whole simulation and prints only its own table's rows.  Every random
 * decision comes from a generator seeded by (seed, day) or (seed, entity,
 * id), so that every run of the simulation makes the same decisions, and
 * the text that only one table prints (notes, JSON) comes from generators
 * of its own, drawn only when that table is printed.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define IST (5 * 3600 + 1800)

/* ------------------------------------------------------------ randomness */

struct rng {
	uint64_t s;
};

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: small, fast and good enough for test data. */
static uint64_t
rnext(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

static uint64_t g_seed = 1;

/* A generator for one purpose (a day, an entity), independent of others. */
static struct rng
rng_for(uint64_t kind, uint64_t id)
{
	struct rng r;

	r.s = mix64(g_seed * 0x9e3779b97f4a7c15ULL + mix64(kind * 1000003ULL + id));
	return r;
}

/* A uniform integer in [0, n). */
static uint32_t
rint_n(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* A uniform integer in [lo, hi]. */
static int64_t
rrange(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rint_n(r, (uint32_t)(hi - lo + 1));
}

/* True with probability per_mille / 1000. */
static int
rchance(struct rng *r, unsigned per_mille)
{
	return rint_n(r, 1000) < per_mille;
}

#define RPICK(r, a) ((a)[rint_n((r), NELEM(a))])

/* Picks an index in [0, n) with the given weights. */
static int
rweighted(struct rng *r, const int *w, int n)
{
	int x, i, sum = 0;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = (int)rint_n(r, (uint32_t)sum);

	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* ----------------------------------------------------------------- output */

static char obuf[1 << 20];
static size_t olen;

static void
oflush(void)
{
	if (olen && fwrite(obuf, 1, olen, stdout) != olen)
		die_errno(EXIT_FAIL, "cannot write the output");
	olen = 0;
}

static void
oraw(const char *s, size_t n)
{
	if (olen + n > sizeof(obuf)) {
		oflush();
		if (n > sizeof(obuf)) {
			if (fwrite(s, 1, n, stdout) != n)
				die_errno(EXIT_FAIL, "cannot write the output");
			return;
		}
	}
	memcpy(obuf + olen, s, n);
	olen += n;
}

static void
os(const char *s)
{
	oraw(s, strlen(s));
}

static void
oc(char c)
{
	if (olen == sizeof(obuf))
		oflush();
	obuf[olen++] = c;
}

/* A text value in COPY's text format. */
static void
otext(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': oraw("\\\\", 2); break;
		case '\t': oraw("\\t", 2); break;
		case '\n': oraw("\\n", 2); break;
		case '\r': oraw("\\r", 2); break;
		default: oc(*s);
		}
	}
}

static void
oint(int64_t v)
{
	char b[24];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		b[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		oc('-');
	while (n)
		oc(b[--n]);
}

static void
onull(void)
{
	oraw("\\N", 2);
}

#define T() oc('\t')
#define NL() oc('\n')

/* Zero-padded decimal into b (no NUL). */
static void
pad(char *b, int64_t v, int w)
{
	while (w--) {
		b[w] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* ------------------------------------------------------------------ dates */

/* Days since 1970-01-01 from a civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Monday ... 6 = Sunday. */
static int
weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7);
}

static void
fmt_date(char *b, int64_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	pad(b, y, 4);
	b[4] = '-';
	pad(b + 5, m, 2);
	b[7] = '-';
	pad(b + 8, d, 2);
	b[10] = 0;
}

static void
odate(int64_t day)
{
	char b[11];

	fmt_date(b, day);
	oraw(b, 10);
}

/*
 * A timestamp as the salon's clock shows it: local time in India
 * (+05:30, no daylight saving), from a local day and seconds into it;
 * usec < 0 leaves out the fraction.
 */
static void
fmt_ts(char *b, int64_t day, int64_t sec, int usec)
{
	int n;

	day += sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	sec = ((sec % 86400) + 86400) % 86400;
	fmt_date(b, day);
	b[10] = ' ';
	pad(b + 11, sec / 3600, 2);
	b[13] = ':';
	pad(b + 14, sec / 60 % 60, 2);
	b[16] = ':';
	pad(b + 17, sec % 60, 2);
	n = 19;
	if (usec >= 0) {
		b[n++] = '.';
		pad(b + n, usec, 6);
		n += 6;
	}
	memcpy(b + n, "+05:30", 7);
}

static void
ots(int64_t day, int64_t sec, int usec)
{
	char b[40];

	fmt_ts(b, day, sec, usec);
	os(b);
}

/*
 * Draws happen in statement order, never two in the arguments of one call
 * or the operands of one operator, whose order C leaves to the compiler:
 * the output must not depend on it.
 */

/* A day of year y, drawn from r. */
static int64_t
rdate(struct rng *r, int64_t y)
{
	int m = (int)rrange(r, 1, 12);
	int d = (int)rrange(r, 1, 28);

	return days_from_civil(y, m, d);
}

/* A product's MRP in paise, drawn from r. */
static int64_t
rmrp(struct rng *r)
{
	int64_t rupees = rrange(r, 8, 300) * 10;
	static const int tail[] = { 0, 0, 900, 500, 9900 };

	return rupees * 100 + tail[rint_n(r, NELEM(tail))];
}

/* Like ots() with microseconds drawn from r (after the arguments). */
static void
otsr(struct rng *r, int64_t day, int64_t sec)
{
	ots(day, sec, (int)rint_n(r, 1000000));
}

/* ------------------------------------------------------------------- JSON */

/* A growable string for JSON documents and composed text. */
struct sbuf {
	char *p;
	size_t n, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2 + 64;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void
sb_s(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_reset(struct sbuf *b)
{
	b->n = 0;
	sb_add(b, "", 0);
}

static void
sb_int(struct sbuf *b, int64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%lld", (long long)v);
	sb_s(b, t);
}

/* A JSON string literal. */
static void
sb_jstr(struct sbuf *b, const char *s)
{
	char t[8];

	sb_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			t[0] = '\\';
			t[1] = (char)c;
			sb_add(b, t, 2);
		} else if (c == '\n') {
			sb_add(b, "\\n", 2);
		} else if (c < 0x20) {
			snprintf(t, sizeof(t), "\\u%04x", c);
			sb_add(b, t, 6);
		} else {
			sb_add(b, s, 1);
		}
	}
	sb_add(b, "\"", 1);
}

/* Object members: jk() writes the separator and key. */
static void
jk(struct sbuf *b, const char *key)
{
	if (b->n && b->p[b->n - 1] != '{' && b->p[b->n - 1] != '[')
		sb_add(b, ", ", 2);
	sb_jstr(b, key);
	sb_add(b, ": ", 2);
}

static void
jstr(struct sbuf *b, const char *key, const char *v)
{
	jk(b, key);
	sb_jstr(b, v);
}

static void
jint(struct sbuf *b, const char *key, int64_t v)
{
	jk(b, key);
	sb_int(b, v);
}

/* ------------------------------------------------------------------ words */

static const char *const first_f[] = {
	"Aarti", "Ananya", "Priya", "Kavya", "Sneha", "Pooja", "Neha", "Divya",
	"Meera", "Lakshmi", "Deepika", "Shreya", "Ishita", "Riya", "Sanya",
	"Nandini", "Swati", "Tanvi", "Farah", "Ayesha", "Zoya", "Sana", "Fatima",
	"Harpreet", "Simran", "Gurleen", "Manpreet", "Jyoti", "Anjali", "Bhavna",
	"Rekha", "Sunita", "Kalpana", "Revathi", "Keerthana", "Janani",
	"Vaishnavi", "Aishwarya", "Sowmya", "Shalini", "Parvathi", "Anusha",
	"Madhuri", "Rupali", "Sayali", "Mrunal", "Ketaki", "Hetal", "Khushi",
	"Dhwani", "Payal", "Mitali", "Tanushree", "Sreya", "Moumita",
	"Rituparna", "Anita", "Maria", "Sheela", "Teresa", "Jennifer", "Chloé",
	"Emma", "Sofía", "Yuki", "Mei", "Olga", "Amara", "Leila", "Noor",
	"Radhika", "Gayatri", "Pallavi", "Archana", "Bhagyashree", "Chitra",
	"Esha", "Geetha", "Hema", "Indu", "Jasleen", "Komal", "Lavanya",
	"Mehek", "Nivedita", "Oindrila", "Prerna", "Rashmi", "Tejaswini",
	"Urvashi", "Vidya", "Yamini", "Zainab",
};
static const char *const first_m[] = {
	"Rahul", "Arjun", "Vikram", "Rohan", "Aditya", "Karan", "Siddharth",
	"Aman", "Nikhil", "Sandeep", "Rajesh", "Suresh", "Ramesh", "Mahesh",
	"Ganesh", "Karthik", "Arun", "Vignesh", "Prakash", "Senthil", "Murugan",
	"Imran", "Faisal", "Salman", "Arif", "Gurpreet", "Harjeet", "Manjit",
	"Amit", "Sumit", "Ankit", "Tushar", "Omkar", "Sachin", "Pranav",
	"Jignesh", "Hardik", "Chirag", "Sourav", "Debashish", "Arnab", "Joseph",
	"Thomas", "Anthony", "Kevin", "David", "Michael", "Hiroshi", "Wei",
	"Ahmed", "Omar", "Lucas", "José", "Björn", "Abhishek", "Bharat",
	"Chetan", "Dinesh", "Eshwar", "Farhan", "Girish", "Harsha", "Irfan",
	"Jayant", "Kunal", "Lokesh", "Manoj", "Naveen", "Pradeep", "Raghav",
	"Santosh", "Tarun", "Uday", "Varun", "Yash", "Zubin",
};
static const char *const surnames[] = {
	"Sharma", "Verma", "Gupta", "Agarwal", "Iyer", "Iyengar", "Nair", "Menon",
	"Pillai", "Reddy", "Rao", "Naidu", "Krishnan", "Subramanian",
	"Venkatesh", "Patel", "Shah", "Mehta", "Desai", "Joshi", "Kulkarni",
	"Deshpande", "Patil", "Pawar", "Jadhav", "Singh", "Kaur", "Gill",
	"Sandhu", "Chatterjee", "Banerjee", "Mukherjee", "Das", "Bose", "Ghosh",
	"Sen", "Khan", "Sheikh", "Qureshi", "Ansari", "Syed", "Fernandes",
	"D'Souza", "Pereira", "Rodrigues", "Mathew", "Kapoor", "Malhotra",
	"Khanna", "Chopra", "Bhatia", "Saxena", "Tiwari", "Mishra", "Pandey",
	"Dubey", "Yadav", "Chauhan", "Rathore", "Goswami", "Hegde", "Shetty",
	"Kamath", "Bhat", "Murthy", "Chandran", "Varghese", "Kurian", "Thakur",
	"Sinha", "Prasad", "Srinivasan", "Raghunathan", "Balasubramaniam",
	"Smith", "Müller", "García", "Tanaka", "Wang", "Kim", "Ivanova",
	"O'Brien", "Nguyễn", "Dubois", "Rossi", "Al-Farsi",
};
/* Names as their owners write them, in their own scripts. */
static const char *const native_names[] = {
	"प्रिया शर्मा", "राहुल वर्मा", "अनीता गुप्ता", "सुनीता यादव", "अमित कुमार",
	"नेहा मिश्रा", "ज्योति पांडे", "विकास तिवारी", "லக்ஷ்மி கிருஷ்ணன்",
	"கார்த்திக் சுப்ரமணியன்", "மீனா சுந்தரம்", "செந்தில் முருகன்",
	"সৌরভ ঘোষ", "মৌমিতা দাস", "ঋতুপর্ণা সেন", "હેતલ પટેલ", "જિજ્ઞેશ શાહ",
	"ਹਰਪ੍ਰੀਤ ਕੌਰ", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "ಶ್ವೇತಾ ಹೆಗ್ಡೆ", "ರಾಘವೇಂದ್ರ ಭಟ್",
	"അനുപമ നായർ", "ജോസഫ് വർഗീസ്", "శ్రీదేవి రెడ్డి", "వెంకట రావు",
	"عائشہ خان", "عمران قریشی", "सायली पाटील", "ओंकार जाधव", "山田 花子",
	"Zoë Ó Súilleabháin",
};
static const char *const salutations[] = { "Dr. ", "Mrs. ", "Ms. ", "Mr. ", "Adv. ", "Prof. " };
static const char *const mail_domains[] = {
	"gmail.com", "gmail.com", "gmail.com", "yahoo.co.in", "outlook.com",
	"hotmail.com", "rediffmail.com", "icloud.com", "proton.me",
};
static const char *const languages[] = {
	"en", "hi", "mr", "ta", "te", "kn", "ml", "bn", "gu", "pa", "ur",
};

/* Fragments that notes are composed of, in the languages of the desk. */
static const char *const note_bits[] = {
	"prefers the same stylist every time",
	"allergic to ammonia-based colour – use ammonia-free only",
	"sensitive scalp, mild shampoo",
	"wants the same shade as last time (4.65 copper red)",
	"patch test done, no reaction",
	"asked for the invoice on the company GSTIN",
	"do not call before 11 am",
	"regular since 2019",
	"brings her daughter along, books two chairs",
	"VIP: complimentary head massage",
	"called to reschedule, twice",
	"said \"too short\" last time – keep length",
	"pays by UPI only",
	"bridal trial done; final look on the wedding day",
	"paid an advance for the bridal package",
	"keratin due next month",
	"likes strong filter coffee ☕",
	"thoda short karna hai, sides tight",
	"next time keratin try karenge",
	"ma'am ko chai pasand hai, no sugar",
	"ग्राहक को अमोनिया से एलर्जी है",
	"अगली बार हेयर स्पा करवाना है",
	"शादी की तैयारी – दुल्हन का मेकअप",
	"भुगतान बाद में करेंगे",
	"बहुत खुश 😊",
	"अगले हफ़्ते फिर आएँगी",
	"अडुத்த வாரம் மீண்டும் வருவார்",
	"முடி வெட்டுதல் – குறுகிய",
	"மிகவும் திருப்தி 🙏",
	"புதிய வாடிக்கையாளர்",
	"पुढच्या वेळी फेशियल",
	"খুব ভালো লেগেছে",
	"మళ్ళీ వస్తారు",
	"ಮುಂದಿನ ವಾರ ಬರುತ್ತಾರೆ",
	"അടുത്ത മാസം വീണ്ടും",
	"આવતા અઠવાડિયે ફરી",
	"اگلے ہفتے دوبارہ آئیں گی",
	"⭐⭐⭐⭐⭐",
	"👍",
	"💇‍♀️ layered cut",
	"💅 gel extensions, almond shape",
	"🎉 birthday month offer",
	"🇮🇳 Independence Day combo",
	"walked in during the rain ☔",
	"came with a friend (referral)",
	"prefers Sunday mornings",
	"complained about waiting time",
	"Jean-Luc's recommendation: olaplex",
	"Größe M – gift voucher",
	"café au lait highlights",
};
static const char *const note_joins[] = { "; ", " · ", ". ", " – ", "\n", ", " };

static const char *const discount_reasons[] = {
	"loyalty 10%", "festive offer – Diwali", "first visit", "staff family",
	"coupon SUMMER15", "manager approval", "birthday month 🎂",
	"package rebate", "complaint – goodwill", "दीवाली ऑफर", "Pongal offer – பொங்கல்",
	"student discount", "corporate tie-up (Infosys)", "referral credit",
};
static const char *const refund_reasons[] = {
	"colour uneven, customer unhappy", "service not completed",
	"charged twice by mistake", "product returned unopened",
	"wrong service billed", "स्टाइलिस्ट उपलब्ध नहीं", "allergic reaction, refunded",
	"customer left before service", "duplicate UPI payment",
	"வாடிக்கையாளர் திருப்தி இல்லை",
};
static const char *const expense_items[] = {
	"tea & snacks", "laundry – towels", "courier", "चाय-नाश्ता", "water cans",
	"cleaning supplies", "auto fare for delivery", "printer paper", "flowers",
	"electrician", "pest control", "parking",
};
static const char *const user_agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.210 Mobile Safari/537.36",
	"Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	"SalonOS-POS/2.14.3 (Windows; counter-1)",
	"SalonOS-POS/2.14.3 (Android; tablet-2)",
	"python-httpx/0.26.0",
};

/* ---------------------------------------------------------------- catalog */

struct category {
	const char *name;
};
static const struct category categories[] = {
	{ "Hair – Cut & Style" }, { "Hair – Colour" }, { "Hair – Treatments" },
	{ "Skin & Facials" }, { "Waxing" }, { "Threading" }, { "Nails" },
	{ "Spa & Massage" }, { "Bridal & Makeup" }, { "Men's Grooming" },
	{ "Kids" }, { "Packages" },
};

struct service {
	int cat; /* index into categories */
	const char *name;
	int minutes;
	int rupees;
	int cost_pct; /* material cost, percent of price */
	char gender;  /* 'F', 'M' or 0 */
};
static const struct service services[] = {
	{ 0, "Haircut – women", 45, 600, 5, 'F' },
	{ 0, "Haircut – men", 30, 300, 5, 'M' },
	{ 0, "Blow-dry", 30, 450, 4, 0 },
	{ 0, "Ironing / tonging", 45, 800, 4, 'F' },
	{ 0, "Advanced cut (layers)", 60, 1200, 5, 'F' },
	{ 0, "Hair wash & conditioning", 20, 250, 10, 0 },
	{ 1, "Global colour – short", 90, 2500, 25, 0 },
	{ 1, "Global colour – long", 120, 4200, 25, 'F' },
	{ 1, "Root touch-up", 60, 1400, 25, 0 },
	{ 1, "Highlights (per streak)", 15, 300, 30, 0 },
	{ 1, "Balayage", 180, 6500, 22, 'F' },
	{ 1, "Henna application – मेहंदी", 60, 700, 20, 0 },
	{ 2, "Hair spa", 60, 1500, 18, 0 },
	{ 2, "Keratin treatment", 180, 7500, 28, 'F' },
	{ 2, "Smoothening", 210, 8500, 26, 'F' },
	{ 2, "Olaplex treatment", 75, 3500, 30, 0 },
	{ 2, "Anti-dandruff treatment", 45, 1200, 20, 0 },
	{ 3, "Clean-up", 45, 800, 15, 0 },
	{ 3, "Fruit facial", 60, 1200, 15, 0 },
	{ 3, "Gold facial", 75, 2500, 20, 'F' },
	{ 3, "Hydra facial", 75, 4500, 22, 0 },
	{ 3, "De-tan pack", 30, 600, 15, 0 },
	{ 3, "Bleach – face", 20, 350, 12, 'F' },
	{ 4, "Full arms wax (Rica)", 30, 600, 15, 'F' },
	{ 4, "Full legs wax (Rica)", 45, 900, 15, 'F' },
	{ 4, "Underarms wax", 15, 200, 15, 'F' },
	{ 4, "Full body wax", 120, 3200, 15, 'F' },
	{ 5, "Eyebrows", 10, 60, 2, 'F' },
	{ 5, "Upper lip", 5, 40, 2, 'F' },
	{ 5, "Full face threading", 25, 250, 2, 'F' },
	{ 6, "Manicure – classic", 40, 600, 12, 0 },
	{ 6, "Pedicure – classic", 50, 800, 12, 0 },
	{ 6, "Spa pedicure", 70, 1400, 14, 0 },
	{ 6, "Gel polish", 45, 900, 18, 'F' },
	{ 6, "Gel extensions", 120, 2800, 22, 'F' },
	{ 6, "Nail art (per nail)", 10, 100, 15, 'F' },
	{ 7, "Head massage – champi", 30, 500, 8, 0 },
	{ 7, "Swedish massage 60 min", 60, 2800, 8, 0 },
	{ 7, "Deep tissue massage 90 min", 90, 4200, 8, 0 },
	{ 7, "Foot reflexology", 45, 1300, 6, 0 },
	{ 8, "Party makeup", 60, 3500, 15, 'F' },
	{ 8, "Bridal makeup – HD", 180, 18000, 12, 'F' },
	{ 8, "Saree draping", 30, 800, 2, 'F' },
	{ 8, "Engagement makeup", 120, 9000, 12, 'F' },
	{ 8, "Hairdo – bridal bun", 60, 2500, 6, 'F' },
	{ 9, "Beard trim & shape", 20, 200, 4, 'M' },
	{ 9, "Clean shave", 20, 150, 5, 'M' },
	{ 9, "Men's facial", 45, 1000, 15, 'M' },
	{ 9, "Men's hair colour", 45, 900, 25, 'M' },
	{ 9, "Groom package", 240, 12000, 14, 'M' },
	{ 10, "Kids haircut (under 10)", 20, 250, 3, 0 },
	{ 10, "Kids braids", 20, 200, 2, 'F' },
	{ 11, "Glow package (facial + spa + mani)", 150, 3900, 15, 'F' },
	{ 11, "Monthly membership visit", 90, 1999, 12, 0 },
	{ 11, "Pre-bridal package (6 sittings)", 360, 24000, 14, 'F' },
};
static const int service_weight[NELEM(services)] = {
	90, 110, 40, 15, 25, 35, 14, 10, 30, 12, 4, 10, 35, 6, 4, 5, 10, 30, 25,
	12, 8, 20, 14, 40, 35, 50, 6, 160, 90, 25, 30, 35, 12, 20, 6, 8, 25, 8,
	4, 8, 8, 1, 8, 2, 5, 60, 30, 15, 12, 1, 30, 8, 4, 6, 1,
};

struct addon {
	int service; /* index into services */
	const char *name;
	int rupees;
	int minutes;
};
static const struct addon addons[] = {
	{ 0, "Deep conditioning", 300, 10 }, { 0, "Hair serum finish", 150, 5 },
	{ 1, "Hair tattoo", 200, 10 }, { 1, "Head massage 10 min", 150, 10 },
	{ 2, "Curls", 300, 15 }, { 6, "Toner", 600, 15 },
	{ 6, "Bond protector", 800, 0 }, { 8, "Ammonia-free upgrade", 400, 0 },
	{ 12, "Scalp scrub", 350, 10 }, { 13, "Extra length", 1500, 30 },
	{ 17, "Peel-off mask", 250, 10 }, { 18, "Under-eye patch", 200, 10 },
	{ 19, "Neck & back polish", 600, 20 }, { 23, "Chocolate wax upgrade", 200, 0 },
	{ 24, "Chocolate wax upgrade", 300, 0 }, { 30, "Paraffin dip", 400, 15 },
	{ 31, "Paraffin dip", 450, 15 }, { 31, "Callus removal", 300, 10 },
	{ 33, "French tips", 300, 15 }, { 37, "Aromatherapy oil", 500, 0 },
	{ 37, "Hot stones", 700, 15 }, { 40, "Lashes", 500, 10 },
	{ 41, "Draping + hairdo", 4000, 60 }, { 45, "Beard colour", 300, 15 },
	{ 47, "D-tan add-on", 400, 15 },
};

static const char *const brands[] = {
	"L'Oréal Professionnel", "Schwarzkopf", "Wella", "Matrix", "Kérastase",
	"O3+", "Lotus Herbals", "VLCC", "Biotique", "Forest Essentials",
	"Kama Ayurveda", "Streax", "Raaga", "Rica", "OPI", "Olaplex", "Moroccanoil",
	"Himalaya", "Cheryl's", "Nature's Essence",
};
static const char *const product_kinds[] = {
	"Shampoo 250 ml", "Conditioner 200 ml", "Hair mask 200 g", "Serum 100 ml",
	"Hair oil 200 ml", "Colour tube 60 g", "Developer 1 L", "Facial kit",
	"Wax 800 ml", "Nail polish 15 ml", "Sunscreen SPF 50", "Face wash 100 ml",
	"Toner 150 ml", "Heat protectant spray", "Beard oil 30 ml", "Cuticle oil",
	"Bleach cream 250 g", "Massage oil 500 ml", "Keratin kit", "Gloves (box of 100)",
};
static const char *const hsn_codes[] = { "33051090", "33059090", "33049990", "34012000", "33043000", "40151900" };

static const char *const supplier_names[] = {
	"Shree Ganesh Beauty Distributors", "Mumbai Cosmetics Pvt Ltd",
	"Sai Professional Products", "Lakshmi Traders", "Kapoor & Sons Wholesale",
	"Deccan Salon Supplies", "Apex Beauty LLP", "Royal Enterprises",
	"New India Hair Care", "Vasudha Agencies", "Sri Venkateswara Marketing",
	"Glamour Hub Distribution", "Mahalaxmi Trading Co.", "Coastal Beauty Mart",
	"Noor Cosmetics", "Punjab Salon Depot", "Bengal Beauty House",
};
static const char *const cities[] = {
	"Andheri West, Mumbai 400053", "Bandra West, Mumbai 400050",
	"Koramangala, Bengaluru 560034", "T. Nagar, Chennai 600017",
	"Salt Lake, Kolkata 700091", "Banjara Hills, Hyderabad 500034",
	"Koregaon Park, Pune 411001", "Lajpat Nagar, New Delhi 110024",
	"Navrangpura, Ahmedabad 380009", "Sector 17, Chandigarh 160017",
};
static const char *const state_codes[] = { "27", "27", "29", "33", "19", "36", "27", "07", "24", "04" };

static const char gstin_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* A GSTIN with a valid check character, for state code sc. */
static void
make_gstin(char *g, struct rng *r, const char *sc)
{
	int i, sum = 0;

	g[0] = sc[0];
	g[1] = sc[1];
	for (i = 2; i < 7; i++)
		g[i] = (char)('A' + rint_n(r, 26));
	g[5] = "CPHFT"[rint_n(r, 5)]; /* PAN's fourth letter: holder type */
	for (i = 7; i < 11; i++)
		g[i] = (char)('0' + rint_n(r, 10));
	g[11] = (char)('A' + rint_n(r, 26));
	g[12] = (char)('1' + rint_n(r, 3));
	g[13] = 'Z';
	for (i = 0; i < 14; i++) {
		int v = (int)(strchr(gstin_chars, g[i]) - gstin_chars);
		int p = v * (i % 2 ? 2 : 1);
		sum += p / 36 + p % 36;
	}
	g[14] = gstin_chars[(36 - sum % 36) % 36];
	g[15] = 0;
}

/* ------------------------------------------------------------ world state */

enum table {
	T_SETTINGS, T_ROLES, T_USERS, T_CUSTOMERS, T_CATEGORIES, T_SERVICES,
	T_ADDONS, T_SUPPLIERS, T_SKUS, T_STOCK, T_APPOINTMENTS, T_WALKINS,
	T_BILLS, T_BILL_ITEMS, T_PAYMENTS, T_CASH_DRAWERS, T_RECONCILIATIONS,
	T_DAY_SUMMARIES, T_EXPORT_LOGS, T_AUDIT_LOGS, T_EVENTS, T_COUNT
};

static const struct {
	const char *name;
	const char *columns;
	const char *seq_col; /* the identity or serial column, if any */
} tables[T_COUNT] = {
	{ "salon_settings", "id, salon_name, legal_name, gstin, state_code, address, phone, email, timezone, currency, invoice_prefix, prices_include_tax, opens_at, closes_at, weekly_off, receipt_footer, extra, updated_at", NULL },
	{ "roles", "id, name, description, permissions, created_at", "id" },
	{ "users", "id, role_id, username, full_name, phone, email, password_hash, commission_bps, is_active, joined_on, last_login_at, created_at, updated_at", "id" },
	{ "customers", "id, full_name, phone, email, gender, date_of_birth, anniversary, preferred_language, referred_by, loyalty_points, marketing_opt_in, tags, notes, created_at, updated_at", "id" },
	{ "service_categories", "id, name, display_order, is_active", "id" },
	{ "services", "id, category_id, name, description, duration_min, price, cost, gst_rate_bps, sac_code, gender_specific, is_active, created_at, updated_at", "id" },
	{ "service_addons", "id, service_id, name, price, duration_min, is_active", "id" },
	{ "suppliers", "id, name, gstin, contact_name, phone, email, address, payment_terms_days, created_at", "id" },
	{ "skus", "id, supplier_id, code, barcode, name, brand, unit, hsn_code, mrp, cost_price, gst_rate_bps, is_retail, is_active, created_at", "id" },
	{ "stock", "sku_id, on_hand, reorder_level, location, last_counted_at, updated_at", NULL },
	{ "appointments", "id, customer_id, staff_id, service_id, scheduled_at, duration_min, status, source, notes, created_by, created_at, updated_at", "id" },
	{ "walkins", "id, business_date, token_no, customer_id, guest_name, party_size, assigned_staff_id, status, arrived_at, started_at, finished_at, notes", "id" },
	{ "bills", "id, invoice_number, business_date, customer_id, walkin_id, appointment_id, status, subtotal, discount_amount, discount_reason, cgst_amount, sgst_amount, igst_amount, round_off, total_amount, tip_amount, refund_amount, refund_reason, buyer_gstin, refunded_at, loyalty_points_earned, notes, created_by, created_at, posted_at, updated_at", "id" },
	{ "bill_items", "id, bill_id, line_no, kind, service_id, addon_id, sku_id, staff_id, description, quantity, unit_price, discount_amount, gst_rate_bps, tax_amount, line_total, cogs_amount, commission_amount", "id" },
	{ "payments", "id, bill_id, kind, method, amount, tip_amount, reference, received_by, paid_at, created_at", "id" },
	{ "cash_drawers", "id, business_date, opened_by, opened_at, opening_float, closed_by, closed_at, expected_cash, counted_cash, variance, status, denominations, notes", "id" },
	{ "daily_reconciliations", "id, business_date, cash_drawer_id, expected_cash, counted_cash, upi_total, card_total, other_total, expenses_amount, expenses, status, reconciled_by, reconciled_at, notes", "id" },
	{ "day_summaries", "id, summary_date, total_bills, refund_count, gross_revenue, discount_amount, refund_amount, net_revenue, cgst_collected, sgst_collected, total_tax, cash_collected, digital_collected, actual_service_cogs, actual_product_cogs, total_cogs, total_expenses, gross_profit, net_profit, total_tips, is_final, generated_at, metrics_pushed_at", "id" },
	{ "export_logs", "id, export_type, period_from, period_to, requested_by, file_name, row_count, bytes, status, error, started_at, finished_at", "id" },
	{ "audit_logs", "id, occurred_at, user_id, action, entity_type, entity_id, old_values, new_values, ip_address, user_agent", "id" },
	{ "events", "id, occurred_at, event_type, aggregate_type, aggregate_id, payload, processed_at, attempts", NULL },
};

/* Entity kinds for rng_for(). */
enum {
	K_DAY = 1, K_CUSTOMER, K_USER, K_SKU, K_SUPPLIER, K_TEXT, K_SETTINGS,
	K_BILL, K_BILL_PRINT, K_DAY_PRINT, K_EXTRA
};

static double g_scale = 1;
static int g_days = 365;
static int64_t g_end;   /* the last business day */
static int64_t g_start; /* the first */

static int n_users, n_customers, n_suppliers, n_skus;
static int64_t n_cust_before; /* customers who exist before the first day */
static int staff_lo, staff_hi; /* user ids doing services */
static int desk_lo, desk_hi;   /* user ids at the front desk */

enum table g_emit; /* the table being printed in this pass */

/* Per-day carries: refunds made on a later day than their bill. */
struct carry {
	int64_t refunds, refund_amount, cash_refund, digital_refund;
};
static struct carry *carry;

/* Running ids, reset at the start of every pass. */
struct ids {
	int64_t bill, item, payment, walkin, appt, audit, drawer, recon, export;
};
static struct ids ids;

static struct sbuf jb, tb; /* JSON and text scratch */

static void
copy_begin(enum table t)
{
	os("COPY public.");
	os(tables[t].name);
	os(" (");
	os(tables[t].columns);
	os(") FROM stdin;\n");
}

static void
copy_end(void)
{
	os("\\.\n");
}

/* ------------------------------------------------------------ composition */

/* A person's name, into b; *gender gets 'F' or 'M'. */
static void
make_name(struct sbuf *b, struct rng *r, char *gender, int allow_native)
{
	*gender = rchance(r, 560) ? 'F' : 'M';
	sb_reset(b);
	if (allow_native && rchance(r, 45)) {
		sb_s(b, RPICK(r, native_names));
		return;
	}
	if (rchance(r, 40))
		sb_s(b, RPICK(r, salutations));
	sb_s(b, *gender == 'F' ? RPICK(r, first_f) : RPICK(r, first_m));
	if (rchance(r, 120)) {
		char ini[4] = { ' ', (char)('A' + rint_n(r, 26)), '.', 0 };
		sb_s(b, ini);
	}
	sb_s(b, " ");
	sb_s(b, RPICK(r, surnames));
	if (rchance(r, 15))
		sb_s(b, rchance(r, 500) ? " (Guddu)" : " (Pinky)");
}

/* A plausible e-mail address for name, into b (ASCII letters only). */
static void
make_email(struct sbuf *b, struct rng *r, const char *name, int64_t n)
{
	const char *p;
	int dot = 0;

	sb_reset(b);
	for (p = name; *p && b->n < 24; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z') {
			sb_add(b, &c, 1);
		} else if (c == ' ' && !dot && b->n) {
			sb_add(b, rchance(r, 500) ? "." : "_", 1);
			dot = 1;
		}
	}
	if (!b->n)
		sb_s(b, "guest");
	if (rchance(r, 600))
		sb_int(b, n % 1000 + (rchance(r, 500) ? 1960 : 0));
	sb_s(b, "@");
	sb_s(b, RPICK(r, mail_domains));
}

/* A note of one to three fragments, sometimes with a number in it. */
static void
make_note(struct sbuf *b, struct rng *r)
{
	int n = 1 + (int)rint_n(r, 3), i;
	char t[64];

	sb_reset(b);
	for (i = 0; i < n; i++) {
		if (i)
			sb_s(b, RPICK(r, note_joins));
		switch (rint_n(r, 8)) {
		case 0:
			snprintf(t, sizeof(t), "%d visits so far", (int)rrange(r, 2, 140));
			sb_s(b, t);
			break;
		case 1:
			snprintf(t, sizeof(t), "₹%d advance paid", (int)rrange(r, 2, 60) * 500);
			sb_s(b, t);
			break;
		case 2:
			{
				int dd = (int)rrange(r, 1, 28);
				int mm = (int)rrange(r, 1, 12);
				snprintf(t, sizeof(t), "follow up on %02d/%02d", dd, mm);
			}
			sb_s(b, t);
			break;
		default:
			sb_s(b, RPICK(r, note_bits));
		}
	}
}

/* An Indian mobile number, unique for each n < 10^9. */
static void
make_phone(char *b, int64_t n, int kind)
{
	uint64_t v = ((uint64_t)n * 387420489ULL + 123456789ULL) % 1000000000ULL;

	switch (kind) {
	case 1: snprintf(b, 20, "+9715%08llu", (unsigned long long)(v % 100000000)); break;
	case 2: snprintf(b, 20, "+447%09llu", (unsigned long long)v); break;
	default: snprintf(b, 20, "+91%c%09llu", "6789"[n % 4], (unsigned long long)v);
	}
}

static void
ouuid(struct rng *r)
{
	uint64_t a = rnext(r), b = rnext(r);
	char s[37];
	int i, k = 0;
	static const char hex[] = "0123456789abcdef";
	unsigned char u[16];

	for (i = 0; i < 8; i++) {
		u[i] = (unsigned char)(a >> (i * 8));
		u[8 + i] = (unsigned char)(b >> (i * 8));
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[k++] = '-';
		s[k++] = hex[u[i] >> 4];
		s[k++] = hex[u[i] & 15];
	}
	oraw(s, 36);
}

/* -------------------------------------------------------------- customers */

/* The day customer id was created (ids grow with time). */
static int64_t
customer_day(int64_t id)
{
	if (id <= n_cust_before)
		return g_start - 1100 + (id - 1) * 1100 / (n_cust_before ? n_cust_before : 1);
	return g_start + (id - n_cust_before - 1) * g_days / (n_customers - n_cust_before);
}

/* The customers that exist on business day d: ids 1 .. result. */
static int64_t
customers_on(int64_t d)
{
	int64_t k = d - g_start;
	int64_t n = n_cust_before + (k + 1) * (n_customers - n_cust_before) / g_days;
	return n < 1 ? 1 : n > n_customers ? n_customers : n;
}

/* A customer for a visit on day d, favouring the old regulars. */
static int64_t
pick_customer(struct rng *r, int64_t d)
{
	int64_t n = customers_on(d);
	int64_t a = rrange(r, 1, n), b = rrange(r, 1, n);

	return rchance(r, 600) ? (a < b ? a : b) : a;
}

static void
emit_customers(void)
{
	int64_t id;
	char phone[24], g;

	copy_begin(T_CUSTOMERS);
	for (id = 1; id <= n_customers; id++) {
		struct rng r = rng_for(K_CUSTOMER, (uint64_t)id);
		int64_t day = customer_day(id);
		int64_t sec = rrange(&r, 10 * 3600, 21 * 3600);
		int y, m, dd;

		make_name(&tb, &r, &g, 1);
		oint(id); T(); otext(tb.p); T();
		make_phone(phone, id, rchance(&r, 15) ? 1 : rchance(&r, 10) ? 2 : 0);
		os(phone); T();
		if (rchance(&r, 550)) {
			make_email(&jb, &r, tb.p, id);
			otext(jb.p);
		} else {
			onull();
		}
		T();
		if (rchance(&r, 30))
			os("X");
		else
			oc(g);
		T();
		civil_from_days(g_end, &y, &m, &dd);
		if (rchance(&r, 450))
			odate(rdate(&r, y - rrange(&r, 16, 70)));
		else
			onull();
		T();
		if (rchance(&r, 120))
			odate(rdate(&r, y - rrange(&r, 1, 30)));
		else
			onull();
		T();
		if (rchance(&r, 700))
			os(RPICK(&r, languages));
		else
			onull();
		T();
		if (id > 20 && rchance(&r, 80))
			oint(rrange(&r, 1, id - 1));
		else
			onull();
		T();
		oint(rchance(&r, 400) ? rrange(&r, 0, 4000) : 0); T();
		os(rchance(&r, 620) ? "t" : "f"); T();
		/* tags: a text[] literal */
		{
			static const char *const tags[] = {
				"vip", "regular", "bridal", "corporate", "student",
				"senior", "member", "no-show-risk", "referral", "家族",
			};
			int nt = rchance(&r, 600) ? 0 : (int)rrange(&r, 1, 3), i;
			int first = (int)rint_n(&r, NELEM(tags)), step = 1 + (int)rint_n(&r, 3);
			oc('{');
			for (i = 0; i < nt; i++) {
				if (i)
					oc(',');
				os(tags[(first + i * step) % NELEM(tags)]);
			}
			oc('}');
		}
		T();
		if (rchance(&r, 250)) {
			struct rng rt = rng_for(K_TEXT, (uint64_t)id);
			make_note(&tb, &rt);
			otext(tb.p);
		} else {
			onull();
		}
		T();
		otsr(&r, day, sec); T();
		otsr(&r, day + rrange(&r, 0, g_end - day), sec + 60);
		NL();
	}
	copy_end();
}

/* ---------------------------------------------------------- master data */

static const char *const role_names[] = {
	"owner", "manager", "receptionist", "stylist", "beautician", "therapist",
};
static const char *const role_desc[] = {
	"Owns the salon; everything, including purges and settings",
	"Runs the floor; refunds, discounts above 20 %, reports",
	"Front desk: billing, appointments, walk-ins, cash drawer",
	"Hair services",
	"Skin, nails, waxing, threading and makeup",
	"Spa and massage",
};
static const char *const role_perms[] = {
	"[\"*\"]",
	"[\"bills:*\", \"refunds:create\", \"discounts:override\", \"reports:read\", \"staff:read\"]",
	"[\"bills:create\", \"bills:read\", \"appointments:*\", \"walkins:*\", \"cash_drawer:*\"]",
	"[\"appointments:read\", \"bills:read:own\"]",
	"[\"appointments:read\", \"bills:read:own\"]",
	"[\"appointments:read\"]",
};

static int
user_role(int id)
{
	if (id == 1)
		return 1;
	if (id == 2)
		return 2;
	if (id <= desk_hi)
		return 3;
	return 4 + (id % 5 == 0 ? 2 : id % 3 == 0 ? 1 : 0);
}

static void
emit_master(enum table t)
{
	struct rng r;
	int i;
	char g, b[40];

	copy_begin(t);
	switch (t) {
	case T_SETTINGS: {
		static const char *const salon_names[] = {
			"Glow & Grace Unisex Salon", "Kesh Kala Hair Studio",
			"Shringar Beauty Lounge", "The Mane Street", "Naaz Salon & Spa",
			"Roopam Family Salon",
		};
		char gst[16];
		int c;

		r = rng_for(K_SETTINGS, 0);
		c = (int)rint_n(&r, NELEM(cities));
		make_gstin(gst, &r, state_codes[c]);
		i = (int)rint_n(&r, NELEM(salon_names));
		os("1\t"); otext(salon_names[i]); T();
		otext(salon_names[i]); os(" Pvt Ltd\t");
		os(gst); T(); os(state_codes[c]); T();
		os("Shop 4, Ground Floor, Sunshine Arcade, "); otext(cities[c]); T();
		make_phone(b, 999999, 0); os(b); T();
		os("hello@salon.example\tAsia/Kolkata\tINR\tINV-\tf\t10:00:00\t21:00:00\t");
		oint(rchance(&r, 500) ? 1 : 6); T();
		otext("Thank you! Visit again 🙏 · धन्यवाद · நன்றி"); T();
		otext("{\"loyalty\": {\"points_per_100\": 1, \"redeem_min\": 500}, \"whatsapp_reminders\": true, \"printer\": \"TVS RP3160 Gold\"}");
		T(); ots(g_start - 400, 11 * 3600, 0); NL();
		break;
	}
	case T_ROLES:
		for (i = 0; i < (int)NELEM(role_names); i++) {
			oint(i + 1); T(); os(role_names[i]); T(); otext(role_desc[i]); T();
			os(role_perms[i]); T(); ots(g_start - 1200, 10 * 3600 + i, 0); NL();
		}
		break;
	case T_USERS:
		for (i = 1; i <= n_users; i++) {
			static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
			int64_t joined;
			int k;

			r = rng_for(K_USER, (uint64_t)i);
			make_name(&tb, &r, &g, 0);
			joined = g_start - rrange(&r, 30, 2000);
			if (i > desk_hi && i > n_users / 2 && rchance(&r, 300))
				joined = g_start + rrange(&r, 0, g_days / 2);
			oint(i); T(); oint(user_role(i)); T();
			make_email(&jb, &r, tb.p, i);
			*strchr(jb.p, '@') = 0;
			otext(jb.p); oint(i); T(); otext(tb.p); T();
			make_phone(b, 5000000 + i, 0); os(b); T();
			make_email(&jb, &r, tb.p, i); otext(jb.p); T();
			os("$2b$12$");
			for (k = 0; k < 53; k++)
				oc(b64[rint_n(&r, 64)]);
			T();
			oint(user_role(i) >= 4 ? rrange(&r, 5, 25) * 100 : 0); T();
			os(i > 4 && rchance(&r, 80) ? "f" : "t"); T();
			odate(joined); T();
			otsr(&r, g_end, rrange(&r, 9 * 3600, 11 * 3600)); T();
			otsr(&r, joined, 10 * 3600 + i * 60); T();
			otsr(&r, joined + rrange(&r, 0, 30), 12 * 3600); NL();
		}
		break;
	case T_CATEGORIES:
		for (i = 0; i < (int)NELEM(categories); i++) {
			oint(i + 1); T(); otext(categories[i].name); T();
			oint((i + 1) * 10); T(); os(i == 10 && g_seed % 2 ? "f" : "t"); NL();
		}
		break;
	case T_SERVICES:
		r = rng_for(K_SETTINGS, 1);
		for (i = 0; i < (int)NELEM(services); i++) {
			const struct service *s = &services[i];
			oint(i + 1); T(); oint(s->cat + 1); T(); otext(s->name); T();
			if (rchance(&r, 400)) {
				struct rng rt = rng_for(K_TEXT, 500000 + (uint64_t)i);
				make_note(&tb, &rt);
				otext(tb.p);
			} else {
				onull();
			}
			T();
			oint(s->minutes); T(); oint((int64_t)s->rupees * 100); T();
			oint((int64_t)s->rupees * s->cost_pct); T();
			os("1800\t999721\t");
			if (s->gender)
				oc(s->gender);
			else
				onull();
			T();
			os(i == 49 ? "f" : "t"); T();
			ots(g_start - 1100, 12 * 3600 + i * 37, 0); T();
			otsr(&r, g_start - rrange(&r, 0, 300), 12 * 3600); NL();
		}
		break;
	case T_ADDONS:
		for (i = 0; i < (int)NELEM(addons); i++) {
			oint(i + 1); T(); oint(addons[i].service + 1); T(); otext(addons[i].name); T();
			oint((int64_t)addons[i].rupees * 100); T(); oint(addons[i].minutes); T();
			os("t"); NL();
		}
		break;
	case T_SUPPLIERS:
		for (i = 1; i <= n_suppliers; i++) {
			char gst[16];
			int c;

			r = rng_for(K_SUPPLIER, (uint64_t)i);
			c = (int)rint_n(&r, NELEM(cities));
			oint(i); T();
			otext(supplier_names[(i - 1) % NELEM(supplier_names)]);
			if (i > (int)NELEM(supplier_names)) {
				os(" – ");
				otext(cities[c]);
			}
			T();
			if (rchance(&r, 900)) {
				make_gstin(gst, &r, state_codes[c]);
				/* unique by construction: the id is in the PAN digits */
				pad(gst + 7, i % 10000, 4);
				{
					int k, sum = 0;
					for (k = 0; k < 14; k++) {
						int v = (int)(strchr(gstin_chars, gst[k]) - gstin_chars);
						int p = v * (k % 2 ? 2 : 1);
						sum += p / 36 + p % 36;
					}
					gst[14] = gstin_chars[(36 - sum % 36) % 36];
				}
				os(gst);
			} else {
				onull();
			}
			T();
			make_name(&tb, &r, &g, 1); otext(tb.p); T();
			make_phone(b, 7000000 + i, 0); os(b); T();
			os("orders"); oint(i); os("@supplier.example"); T();
			otext(cities[c]); T();
			oint(RPICK(&r, ((const int[]){ 7, 15, 30, 30, 45, 60 }))); T();
			ots(g_start - rrange(&r, 100, 1000), 15 * 3600, 0); NL();
		}
		break;
	case T_SKUS:
		for (i = 1; i <= n_skus; i++) {
			int brand, kind;
			int64_t mrp;

			r = rng_for(K_SKU, (uint64_t)i);
			brand = (int)rint_n(&r, NELEM(brands));
			kind = (int)rint_n(&r, NELEM(product_kinds));
			mrp = rmrp(&r);
			oint(i); T(); oint(1 + (i * 7) % n_suppliers); T();
			snprintf(b, sizeof(b), "SKU-%c%c-%05d", brands[brand][0] & 0x5f,
			    product_kinds[kind][0], i);
			otext(b); T();
			snprintf(b, sizeof(b), "890%010d", (int)((i * 7919LL + 1000003) % 10000000000LL));
			os(b); T();
			otext(brands[brand]); os(" "); otext(product_kinds[kind]); T();
			otext(brands[brand]); T();
			os(RPICK(&r, ((const char *const[]){ "pc", "pc", "bottle", "tube", "kit", "box" }))); T();
			os(RPICK(&r, hsn_codes)); T();
			oint(mrp); T(); oint(mrp * rrange(&r, 45, 70) / 100); T();
			os(rchance(&r, 80) ? "1200" : "1800"); T();
			os(kind == 6 || kind == 19 || kind == 8 ? "f" : "t"); T();
			os(rchance(&r, 50) ? "f" : "t"); T();
			otsr(&r, g_start - rrange(&r, 0, 900), 16 * 3600); NL();
		}
		break;
	case T_STOCK:
		for (i = 1; i <= n_skus; i++) {
			r = rng_for(K_SKU, 1000000 + (uint64_t)i);
			oint(i); T();
			oint(rrange(&r, 0, 60)); os(rchance(&r, 100) ? ".500" : ""); T();
			oint(rrange(&r, 2, 10)); T();
			os(rchance(&r, 700) ? "store" : rchance(&r, 500) ? "counter display" : "back room – rack 2"); T();
			if (rchance(&r, 800))
				ots(g_end - rrange(&r, 0, 60), 20 * 3600, 0);
			else
				onull();
			T();
			otsr(&r, g_end - rrange(&r, 0, 10), 21 * 3600); NL();
		}
		break;
	default:
		break;
	}
	copy_end();
}

/* ------------------------------------------------------------- simulation */

static const char *const method_names[] = { "cash", "upi", "card", "wallet", "bank_transfer", "gift_card" };
static const int method_weight[] = { 300, 480, 170, 30, 10, 10 };

/* An audit log row. */
static void
audit(struct rng *r, int64_t day, int64_t sec, int user, const char *action,
    const char *etype, int64_t eid, const char *oldv, const char *newv)
{
	ids.audit++;
	if (g_emit != T_AUDIT_LOGS)
		return;
	oint(ids.audit); T(); otsr(r, day, sec); T();
	if (user)
		oint(user);
	else
		onull();
	T(); os(action); T(); os(etype); T();
	if (eid)
		oint(eid);
	else
		onull();
	T();
	if (oldv)
		otext(oldv);
	else
		onull();
	T();
	if (newv)
		otext(newv);
	else
		onull();
	T();
	if (rchance(r, 850)) {
		os("192.168.1."); oint(rrange(r, 10, 60));
	} else if (rchance(r, 500)) {
		os("2401:4900:1c3a:");
		oint(rrange(r, 1000, 9999));
		os("::"); oint(rrange(r, 2, 99));
	} else {
		onull();
	}
	T();
	otext(RPICK(r, user_agents)); NL();
}

/* An event row; payload is JSON. */
static void
event(struct rng *r, int64_t day, int64_t sec, const char *type,
    const char *atype, int64_t aid, const char *payload)
{
	if (g_emit != T_EVENTS)
		return;
	ouuid(r); T(); otsr(r, day, sec); T();
	os(type); T(); os(atype); T(); oint(aid); T(); otext(payload); T();
	if (day == g_end && rchance(r, 300)) {
		onull(); T(); os("0");
	} else {
		otsr(r, day, sec + rrange(r, 1, 30)); T();
		os(rchance(r, 20) ? "2" : "1");
	}
	NL();
}

struct line {
	int kind; /* 0 service, 1 product */
	int service, addon, sku, staff;
	int64_t qty_milli, unit, disc, rate, tax, total, cogs, commission;
};

struct day_totals {
	int64_t bills, gross, discount, cgst, sgst, tips, scogs, pcogs;
	int64_t cash_in, digital_in, upi, card, other;
	int64_t refunds, refund_amount, cash_refund, digital_refund;
};

static int64_t
sku_mrp(int sku)
{
	struct rng r = rng_for(K_SKU, (uint64_t)sku);

	rint_n(&r, NELEM(brands));
	rint_n(&r, NELEM(product_kinds));
	return rmrp(&r);
}

/* One day of the salon: walk-ins, appointments, bills and the closing. */
static void
simulate_day(int64_t d)
{
	struct rng r = rng_for(K_DAY, (uint64_t)d);
	struct rng rt = rng_for(K_TEXT, 1000000000ULL + (uint64_t)d);
	/* r decides, rp only decorates what one table prints */
	struct rng rp = rng_for(K_DAY_PRINT, (uint64_t)d);
	struct day_totals tot;
	int64_t k = d - g_start;
	int wd = weekday(d), y, m, dd, closed, n_bills, b, token = 0;
	int64_t open = 10 * 3600, span = 11 * 3600 - 1800;
	double lam;
	int desk = (int)rrange(&r, desk_lo, desk_hi);
	int64_t float_amt = rrange(&r, 20, 50) * 10000;
	int64_t expenses = 0;
	char inv[32];

	memset(&tot, 0, sizeof(tot));
	civil_from_days(d, &y, &m, &dd);
	/* Closed on a few festival days, and never busy on a Tuesday. */
	closed = (m == 11 && dd == 1) || (m == 3 && dd == 14) ||
	    (m == 8 && dd == 15 && rchance(&r, 500)) || (m == 1 && dd == 1);
	lam = 40.0 * g_scale;
	lam *= (const double[]){ 0.85, 0.7, 0.9, 0.95, 1.1, 1.4, 1.5 }[wd];
	if (m == 10 || m == 11 || m == 12 || m == 2)
		lam *= 1.25; /* festivals and weddings */
	if (m == 6 || m == 7)
		lam *= 0.85; /* monsoon */
	lam *= 0.8 + (double)rint_n(&r, 401) / 1000.0;
	n_bills = (int)lam;
	if ((double)rint_n(&r, 1000) < (lam - n_bills) * 1000)
		n_bills++;
	if (closed)
		n_bills = 0;

	if (!closed) {
		ids.drawer++;
		/* Staff log in when the doors open. */
		int u;
		for (u = desk_lo; u <= desk_hi; u++)
			audit(&rp, d, open - rrange(&rp, 300, 1500), u, "auth.login", "user", u, NULL,
			    "{\"method\": \"password\"}");
	}

	/* Customers registered today. */
	{
		int64_t c0 = k == 0 ? n_cust_before + 1 : customers_on(d - 1) + 1;
		int64_t c1 = customers_on(d), c;
		for (c = c0; c <= c1 && c > n_cust_before; c++) {
			struct rng rc = rng_for(K_CUSTOMER, (uint64_t)c);
			char g2;
			int64_t sec;
			make_name(&tb, &rc, &g2, 1);
			sec = rrange(&rc, 10 * 3600, 21 * 3600);
			if (g_emit == T_AUDIT_LOGS || g_emit == T_EVENTS) {
				sb_reset(&jb); sb_s(&jb, "{");
				jint(&jb, "id", c); jstr(&jb, "full_name", tb.p);
				sb_s(&jb, "}");
			}
			audit(&rp, d, sec, desk, "customer.create", "customer", c, NULL, jb.p);
			event(&rp, d, sec, "customer.created", "customer", c, jb.p);
		}
	}

	for (b = 0; b < n_bills; b++) {
		struct rng rb = rng_for(K_BILL, (uint64_t)(ids.bill + 1));
		struct rng rbp = rng_for(K_BILL_PRINT, (uint64_t)(ids.bill + 1));
		struct line lines[8];
		int nl = 0, i, origin, service;
		int64_t t = open + (b * span + (int64_t)rint_n(&rb, (uint32_t)span)) / n_bills;
		int64_t cust, subtotal = 0, disc = 0, tax = 0, total, round_off, tip = 0;
		int64_t walkin = 0, appt = 0, refund = 0, refund_day = d, refund_sec = 0;
		int64_t cogs_s = 0, cogs_p = 0;
		int staff = (int)rrange(&rb, staff_lo, staff_hi);
		int is_void, method, split, mlist[2], np = 0, disc_kind = 0;
		int64_t pamt[2];
		char g2 = 'F';

		ids.bill++;
		origin = rweighted(&rb, (const int[]){ 450, 450, 100 }, 3);
		cust = pick_customer(&rb, d);
		if (origin == 0 && rchance(&rb, 300))
			cust = 0;
		if (origin == 2 && rchance(&rb, 200))
			cust = 0;
		if (cust) {
			struct rng rc = rng_for(K_CUSTOMER, (uint64_t)cust);
			make_name(&tb, &rc, &g2, 1);
		}

		/* The lines of the bill. */
		do {
			struct line *l = &lines[nl];
			memset(l, 0, sizeof(*l));
			if (origin == 2 && nl == 0 ? 1 : rchance(&rb, nl ? 150 : 40)) {
				int sku = (int)rrange(&rb, 1, n_skus);
				int64_t mrp = sku_mrp(sku);
				l->kind = 1;
				l->sku = sku;
				l->qty_milli = rchance(&rb, 900) ? 1000 : 2000;
				l->unit = mrp;
				l->rate = 1800;
				l->cogs = mrp * 55 / 100 * l->qty_milli / 1000;
			} else {
				do
					service = rweighted(&rb, service_weight, NELEM(services));
				while (services[service].gender && services[service].gender != g2 &&
				    !rchance(&rb, 150));
				l->kind = 0;
				l->service = service + 1;
				l->staff = staff;
				l->qty_milli = 1000;
				l->unit = (int64_t)services[service].rupees * 100;
				l->rate = 1800;
				l->cogs = l->unit * services[service].cost_pct / 100;
				if (services[service].name[0] == 'H' && strstr(services[service].name, "per "))
					l->qty_milli = rrange(&rb, 2, 10) * 1000;
				if (nl < 6 && rchance(&rb, 200)) {
					for (i = 0; i < (int)NELEM(addons); i++)
						if (addons[i].service == service)
							break;
					if (i < (int)NELEM(addons)) {
						struct line *a = &lines[++nl];
						memset(a, 0, sizeof(*a));
						a->service = service + 1;
						a->addon = i + 1;
						a->staff = staff;
						a->qty_milli = 1000;
						a->unit = (int64_t)addons[i].rupees * 100;
						a->rate = 1800;
						a->cogs = a->unit / 10;
					}
				}
				if (rchance(&rb, 300))
					staff = (int)rrange(&rb, staff_lo, staff_hi);
			}
			subtotal += lines[nl].unit * lines[nl].qty_milli / 1000;
			if (nl > 0 && lines[nl - 1].addon == 0 && lines[nl].addon)
				subtotal += lines[nl - 1].unit * lines[nl - 1].qty_milli / 1000;
			nl++;
		} while (nl < 6 && rchance(&rb, 420));
		/* recompute: an addon pushed two lines at once */
		subtotal = 0;
		for (i = 0; i < nl; i++)
			subtotal += lines[i].unit * lines[i].qty_milli / 1000;

		/* Discount: spread over the lines in proportion. */
		if (rchance(&rb, 250)) {
			disc_kind = (int)rint_n(&rb, 3);
			if (disc_kind == 0)
				disc = subtotal * RPICK(&rb, ((const int[]){ 5, 10, 10, 15, 20, 25 })) / 100;
			else
				disc = RPICK(&rb, ((const int[]){ 5000, 10000, 20000, 50000 }));
			if (disc >= subtotal)
				disc = subtotal / 2;
			disc_kind++;
		}
		{
			int64_t left = disc;
			for (i = 0; i < nl; i++) {
				struct line *l = &lines[i];
				int64_t gross = l->unit * l->qty_milli / 1000;
				l->disc = i == nl - 1 ? left : (subtotal ? disc * gross / subtotal : 0);
				if (l->disc > gross)
					l->disc = gross;
				left -= l->disc;
				l->tax = ((gross - l->disc) * l->rate + 5000) / 10000;
				l->total = gross - l->disc + l->tax;
				l->commission = l->kind == 0 ? (gross - l->disc) / 10 : 0;
				tax += l->tax;
				if (l->kind)
					cogs_p += l->cogs;
				else
					cogs_s += l->cogs;
			}
			if (left > 0) /* what the last line could not take */
				disc -= left;
		}
		total = subtotal - disc + tax;
		round_off = total % 100 >= 50 ? 100 - total % 100 : -(total % 100);
		total += round_off;
		is_void = rchance(&rb, 8);
		if (!is_void && rchance(&rb, 120))
			tip = RPICK(&rb, ((const int[]){ 5000, 10000, 10000, 20000, 20000, 50000 }));
		if (!is_void && rchance(&rb, 15)) {
			refund = rchance(&rb, 500) ? total : total * rrange(&rb, 10, 60) / 100;
			if (refund <= 0)
				refund = total;
			if (rchance(&rb, 700)) {
				refund_day = d;
				refund_sec = t + rrange(&rb, 900, 7200);
				if (refund_sec > 21 * 3600 + 1800)
					refund_sec = 21 * 3600 + 1800;
			} else {
				refund_day = d + rrange(&rb, 1, 10);
				if (refund_day > g_end)
					refund_day = d;
				refund_sec = rrange(&rb, 11 * 3600, 20 * 3600);
			}
			if (refund_day == d && refund_sec <= t)
				refund_sec = t + 600;
		}

		/* Payment methods. */
		method = rweighted(&rb, method_weight, NELEM(method_weight));
		split = total >= 200000 && rchance(&rb, 120);
		mlist[0] = method;
		pamt[0] = total;
		np = is_void ? 0 : 1;
		if (split && !is_void) {
			mlist[0] = 0;
			mlist[1] = 1 + (int)rint_n(&rb, 2);
			pamt[0] = total * rrange(&rb, 20, 60) / 100 / 100 * 100;
			pamt[1] = total - pamt[0];
			np = 2;
		}

		/* Where the bill came from. */
		if (origin == 0) {
			int64_t arrived = t - rrange(&rbp, 300, 2400) - 1800;
			walkin = ++ids.walkin;
			token++;
			if (g_emit == T_WALKINS) {
				oint(walkin); T(); odate(d); T(); oint(token); T();
				if (cust) {
					oint(cust); T(); onull();
				} else {
					char g3;
					make_name(&tb, &rt, &g3, 1);
					onull(); T(); otext(tb.p);
				}
				T(); oint(rchance(&rbp, 850) ? 1 : rrange(&rbp, 2, 4)); T();
				oint(staff); T(); os("completed"); T();
				otsr(&rbp, d, arrived); T();
				otsr(&rbp, d, arrived + rrange(&rbp, 60, 1200)); T();
				otsr(&rbp, d, t - 60); T();
				if (rchance(&rt, 100)) {
					make_note(&tb, &rt);
					otext(tb.p);
				} else {
					onull();
				}
				NL();
			}
		} else if (origin == 1) {
			int svc = lines[0].kind == 0 ? lines[0].service : 1;
			int64_t ahead = rrange(&rbp, 0, 14);
			appt = ++ids.appt;
			if (g_emit == T_APPOINTMENTS) {
				oint(appt); T(); oint(cust ? cust : 1); T(); oint(staff); T();
				oint(svc); T();
				ots(d, (t - services[svc - 1].minutes * 60 - 300) / 900 * 900, 0); T();
				oint(services[svc - 1].minutes); T(); os("completed"); T();
				os(RPICK(&rbp, ((const char *const[]){ "phone", "whatsapp", "whatsapp", "online", "front_desk" }))); T();
				if (rchance(&rt, 150)) {
					make_note(&tb, &rt);
					otext(tb.p);
				} else {
					onull();
				}
				T(); oint(desk); T();
				otsr(&rbp, d - ahead, rrange(&rbp, 9 * 3600, 21 * 3600)); T();
				otsr(&rbp, d, t); NL();
			}
			if (cust == 0)
				cust = 1;
		}

		/* The bill and its lines. */
		snprintf(inv, sizeof(inv), "INV-%06lld", (long long)ids.bill);
		if (g_emit == T_BILLS) {
			oint(ids.bill); T(); os(inv); T(); odate(d); T();
			if (cust) oint(cust); else onull();
			T();
			if (walkin) oint(walkin); else onull();
			T();
			if (appt) oint(appt); else onull();
			T();
			os(is_void ? "void" : refund == 0 ? "posted" : refund == total ? "refunded" : "partially_refunded");
			T(); oint(subtotal); T(); oint(disc); T();
			if (disc)
				otext(RPICK(&rt, discount_reasons));
			else
				onull();
			T(); oint(tax / 2); T(); oint(tax - tax / 2); T(); os("0"); T();
			oint(round_off); T(); oint(total); T(); oint(tip); T(); oint(refund); T();
			if (refund)
				otext(RPICK(&rt, refund_reasons));
			else
				onull();
			T();
			/* A few regulars bill to their company. */
			if (cust && cust % 23 == 0 && subtotal >= 100000) {
				struct rng rg = rng_for(K_CUSTOMER, 1000000000ULL + (uint64_t)cust);
				char gst[16];
				make_gstin(gst, &rg, RPICK(&rg, state_codes));
				os(gst);
			} else {
				onull();
			}
			T();
			if (refund)
				otsr(&rbp, refund_day, refund_sec);
			else
				onull();
			T();
			oint(cust && !is_void ? (total - refund) / 10000 : 0); T();
			if (rchance(&rt, 60)) {
				make_note(&tb, &rt);
				otext(tb.p);
			} else {
				onull();
			}
			T(); oint(desk); T();
			otsr(&rbp, d, t - 120); T();
			if (is_void) onull(); else otsr(&rbp, d, t);
			T();
			otsr(&rbp, refund ? refund_day : d, (refund ? refund_sec : t) + 1);
			NL();
		}
		if (g_emit == T_BILL_ITEMS) {
			for (i = 0; i < nl; i++) {
				struct line *l = &lines[i];
				oint(++ids.item); T(); oint(ids.bill); T(); oint(i + 1); T();
				os(l->kind ? "product" : "service"); T();
				if (l->service) oint(l->service); else onull();
				T();
				if (l->addon) oint(l->addon); else onull();
				T();
				if (l->sku) oint(l->sku); else onull();
				T();
				if (l->staff) oint(l->staff); else onull();
				T();
				if (l->addon)
					otext(addons[l->addon - 1].name);
				else if (l->kind == 0)
					otext(services[l->service - 1].name);
				else {
					struct rng rs = rng_for(K_SKU, (uint64_t)l->sku);
					int br = (int)rint_n(&rs, NELEM(brands));
					otext(brands[br]); oc(' ');
					otext(product_kinds[rint_n(&rs, NELEM(product_kinds))]);
				}
				T();
				oint(l->qty_milli / 1000); T();
				oint(l->unit); T(); oint(l->disc); T(); oint(l->rate); T();
				oint(l->tax); T(); oint(l->total); T(); oint(l->cogs); T();
				oint(l->commission); NL();
			}
		} else {
			ids.item += nl;
		}
		for (i = 0; i < np; i++) {
			ids.payment++;
			if (g_emit != T_PAYMENTS)
				continue;
			oint(ids.payment); T(); oint(ids.bill); T(); os("payment"); T();
			os(method_names[mlist[i]]); T(); oint(pamt[i]); T();
			oint(i == 0 ? tip : 0); T();
			switch (mlist[i]) {
			case 1: os("UTR "); oint(rrange(&rbp, 100000, 999999)); oint(rrange(&rbp, 100000, 999999)); break;
			case 2: os("XXXX-XXXX-XXXX-"); oint(rrange(&rbp, 1000, 9999)); os(" AUTH "); oint(rrange(&rbp, 100000, 999999)); break;
			case 3: os(rchance(&rbp, 500) ? "PAYTM-" : "PHONEPE-"); oint(rrange(&rbp, 10000000, 99999999)); break;
			case 5: os("GV-"); oint(rrange(&rbp, 1000, 9999)); break;
			default: onull();
			}
			T(); oint(desk); T(); otsr(&rbp, d, t + 30 + i * 45); T();
			otsr(&rbp, d, t + 31 + i * 45); NL();
		}
		if (refund) {
			int rm = mlist[0] == 0 || np == 0 ? 0 : mlist[0];
			ids.payment++;
			if (g_emit == T_PAYMENTS) {
				oint(ids.payment); T(); oint(ids.bill); T(); os("refund"); T();
				os(method_names[rm]); T(); oint(refund); T(); os("0"); T();
				if (rm == 1) {
					os("RRN "); oint(rrange(&rbp, 100000, 999999)); oint(rrange(&rbp, 100000, 999999));
				} else {
					onull();
				}
				T(); oint(2); T(); ots(refund_day, refund_sec, 0); T();
				ots(refund_day, refund_sec + 1, 0); NL();
			}
			if (refund_day == d) {
				tot.refunds++;
				tot.refund_amount += refund;
				if (rm == 0)
					tot.cash_refund += refund;
				else
					tot.digital_refund += refund;
			} else {
				struct carry *c = &carry[refund_day - g_start];
				c->refunds++;
				c->refund_amount += refund;
				if (rm == 0)
					c->cash_refund += refund;
				else
					c->digital_refund += refund;
			}
		}

		/* The audit trail and the outbox. */
		if (g_emit == T_AUDIT_LOGS || g_emit == T_EVENTS) {
			sb_reset(&jb); sb_s(&jb, "{");
			jstr(&jb, "invoice_number", inv);
			jint(&jb, "total_amount", total);
			jstr(&jb, "status", is_void ? "void" : "posted");
			jint(&jb, "items", nl);
			if (cust) {
				jint(&jb, "customer_id", cust);
				jstr(&jb, "customer_name", tb.p);
			}
			if (np)
				jstr(&jb, "method", method_names[mlist[0]]);
			if (disc)
				jint(&jb, "discount_amount", disc);
			jk(&jb, "lines");
			sb_s(&jb, "[");
			for (i = 0; i < nl; i++) {
				if (i)
					sb_s(&jb, ", ");
				sb_s(&jb, "{");
				jstr(&jb, "kind", lines[i].kind ? "product" : "service");
				if (lines[i].service)
					jint(&jb, "service_id", lines[i].service);
				if (lines[i].addon)
					jint(&jb, "addon_id", lines[i].addon);
				if (lines[i].sku)
					jint(&jb, "sku_id", lines[i].sku);
				if (lines[i].staff)
					jint(&jb, "staff_id", lines[i].staff);
				jint(&jb, "amount", lines[i].total);
				sb_s(&jb, "}");
			}
			sb_s(&jb, "]");
			sb_s(&jb, "}");
		}
		audit(&rbp, d, t - 120, desk, "bill.create", "bill", ids.bill, NULL,
		    "{\"status\": \"draft\"}");
		if (disc && rchance(&rbp, 300)) {
			char o[96], n2[96];
			snprintf(o, sizeof(o), "{\"discount_amount\": 0}");
			snprintf(n2, sizeof(n2), "{\"discount_amount\": %lld, \"approved_by\": 2}", (long long)disc);
			audit(&rbp, d, t - 60, 2, "bill.discount", "bill", ids.bill, o, n2);
		}
		audit(&rbp, d, t, desk, is_void ? "bill.void" : "bill.post", "bill", ids.bill,
		    "{\"status\": \"draft\"}", jb.p);
		event(&rbp, d, t, is_void ? "bill.voided" : "bill.posted", "bill", ids.bill, jb.p);
		for (i = 0; i < np; i++) {
			char p[160];
			snprintf(p, sizeof(p), "{\"bill_id\": %lld, \"method\": \"%s\", \"amount\": %lld}",
			    (long long)ids.bill, method_names[mlist[i]], (long long)pamt[i]);
			event(&rbp, d, t + 30, "payment.received", "bill", ids.bill, p);
		}
		if (refund) {
			char p[160];
			snprintf(p, sizeof(p), "{\"refund_amount\": %lld, \"by\": \"manager\"}", (long long)refund);
			audit(&rbp, refund_day, refund_sec, 2, "bill.refund", "bill", ids.bill,
			    "{\"refund_amount\": 0}", p);
			event(&rbp, refund_day, refund_sec, "refund.issued", "bill", ids.bill, p);
		}
		/* The desk notes something about the customer, quotes and all. */
		if (cust && rchance(&rbp, 25)) {
			static struct sbuf ob, nb;
			if (g_emit == T_AUDIT_LOGS) {
				struct rng rn = rng_for(K_TEXT, 2000000000ULL + (uint64_t)ids.bill);
				sb_reset(&ob); sb_s(&ob, "{");
				jstr(&ob, "notes", "");
				sb_s(&ob, "}");
				make_note(&tb, &rn);
				sb_reset(&nb); sb_s(&nb, "{");
				jstr(&nb, "notes", tb.p);
				if (rchance(&rn, 300))
					jstr(&nb, "email", "");
				sb_s(&nb, "}");
			}
			audit(&rbp, d, t + 90, desk, "customer.update", "customer", cust, ob.p, nb.p);
		}

		if (!is_void) {
			tot.bills++;
			tot.gross += subtotal;
			tot.discount += disc;
			tot.cgst += tax / 2;
			tot.sgst += tax - tax / 2;
			tot.tips += tip;
			tot.scogs += cogs_s;
			tot.pcogs += cogs_p;
			for (i = 0; i < np; i++) {
				if (mlist[i] == 0)
					tot.cash_in += pamt[i];
				else
					tot.digital_in += pamt[i];
				if (mlist[i] == 1)
					tot.upi += pamt[i];
				else if (mlist[i] == 2)
					tot.card += pamt[i];
				else if (mlist[i] != 0)
					tot.other += pamt[i];
			}
		}
	}

	/* Walk-ins who left without a bill, appointments that did not happen. */
	if (!closed) {
		int extra = (int)(lam / 12) + (rchance(&r, 500) ? 1 : 0), e;
		for (e = 0; e < extra; e++) {
			struct rng rx = rng_for(K_EXTRA, (uint64_t)k * 1000000 + (uint64_t)e);
			int64_t t = open + rrange(&rx, 0, span);
			int64_t c = pick_customer(&rx, d);
			int st = (int)rrange(&rx, staff_lo, staff_hi);
			int svc = rweighted(&rx, service_weight, NELEM(services)) + 1;
			int kind = (int)rint_n(&rx, 3);
			if (kind == 0) {
				ids.walkin++;
				token++;
				if (g_emit == T_WALKINS) {
					oint(ids.walkin); T(); odate(d); T(); oint(token); T();
					oint(c); T(); onull(); T(); os("1"); T(); onull(); T();
					os(d == g_end && t > 20 * 3600 ? "waiting" : "left"); T();
					otsr(&rx, d, t); T(); onull(); T(); onull(); T();
					otext(RPICK(&rt, ((const char *const[]){
					    "left – waited too long", "wait 40 min, will come tomorrow",
					    "इंतज़ार नहीं कर सकीं", "காத்திருக்க முடியவில்லை" })));
					NL();
				}
			} else {
				ids.appt++;
				if (g_emit == T_APPOINTMENTS) {
					oint(ids.appt); T(); oint(c); T(); oint(st); T(); oint(svc); T();
					ots(d, t / 900 * 900, 0); T(); oint(services[svc - 1].minutes); T();
					os(kind == 1 ? "cancelled" : "no_show"); T();
					os(rchance(&rx, 500) ? "whatsapp" : "phone"); T();
					if (kind == 1)
						otext(RPICK(&rt, ((const char *const[]){
						    "cancelled by customer", "rain 🌧️", "office meeting",
						    "बच्चा बीमार है", "rescheduled → next week" })));
					else
						onull();
					T(); oint(desk); T();
					{
						int64_t ago = rrange(&rx, 0, 10);
						otsr(&rx, d - ago, rrange(&rx, 9 * 3600, 21 * 3600)); T();
					}
					otsr(&rx, d, t + 900); NL();
				}
			}
		}
	}
	/* The last day: the book for the week ahead. */
	if (d == g_end) {
		int ahead = (int)(lam * 3), e;
		for (e = 0; e < ahead; e++) {
			int64_t day2 = d + 1 + rint_n(&rp, 7);
			int svc = rweighted(&rp, service_weight, NELEM(services)) + 1;
			ids.appt++;
			if (g_emit == T_APPOINTMENTS) {
				oint(ids.appt); T(); oint(pick_customer(&rp, d)); T();
				oint(rrange(&rp, staff_lo, staff_hi)); T(); oint(svc); T();
				ots(day2, open + rrange(&rp, 0, span / 900) * 900, 0); T();
				oint(services[svc - 1].minutes); T();
				os(rchance(&rp, 600) ? "confirmed" : "scheduled"); T();
				os(RPICK(&rp, ((const char *const[]){ "phone", "whatsapp", "online" }))); T();
				onull(); T(); oint(desk); T();
				{
					int64_t ago = rrange(&rp, 0, 6);
					otsr(&rp, d - ago, rrange(&rp, 10 * 3600, 21 * 3600)); T();
				}
				otsr(&rp, d, 21 * 3600); NL();
			}
		}
	}

	/* Refunds of earlier bills paid out today. */
	{
		struct carry *c = &carry[k];
		tot.refunds += c->refunds;
		tot.refund_amount += c->refund_amount;
		tot.cash_refund += c->cash_refund;
		tot.digital_refund += c->digital_refund;
	}

	/* Closing: petty cash, the drawer, the reconciliation. */
	if (!closed) {
		int ne = (int)rint_n(&r, 3), e;
		int64_t expected, counted, variance;
		static const int den[] = { 500, 200, 100, 50, 20, 10 };

		if (g_emit == T_RECONCILIATIONS)
			sb_reset(&jb), sb_s(&jb, "[");
		for (e = 0; e < ne; e++) {
			int64_t a = rrange(&r, 3, 60) * 1000;
			const char *what = RPICK(&r, expense_items);
			expenses += a;
			if (g_emit == T_RECONCILIATIONS) {
				if (e)
					sb_s(&jb, ", ");
				sb_s(&jb, "{");
				jstr(&jb, "item", what);
				jint(&jb, "amount", a);
				sb_s(&jb, "}");
			}
		}
		if (g_emit == T_RECONCILIATIONS)
			sb_s(&jb, "]");
		expected = float_amt + tot.cash_in - tot.cash_refund - expenses;
		variance = rchance(&r, 700) ? 0 : rrange(&r, -50, 20) * 1000;
		counted = expected + variance;
		if (counted < 0)
			counted = 0, variance = -expected;
		if (g_emit == T_CASH_DRAWERS) {
			int64_t left = counted / 100;
			int i2, first = 1;
			oint(ids.drawer); T(); odate(d); T(); oint(desk); T();
			otsr(&rp, d, open - rrange(&rp, 300, 900)); T();
			oint(float_amt); T();
			if (d == g_end && rchance(&rp, 500)) {
				onull(); T(); onull(); T(); onull(); T(); onull(); T(); onull(); T();
				os("open"); T(); onull(); T(); onull();
			} else {
				oint(desk); T(); otsr(&rp, d, 21 * 3600 + rrange(&rp, 0, 2400)); T();
				oint(expected); T(); oint(counted); T(); oint(variance); T();
				os("closed"); T(); oc('{');
				for (i2 = 0; i2 < (int)NELEM(den); i2++) {
					if (left / den[i2] == 0)
						continue;
					if (!first)
						os(", ");
					first = 0;
					oc('"'); oint(den[i2]); os("\": "); oint(left / den[i2]);
					left %= den[i2];
				}
				if (left) {
					if (!first)
						os(", ");
					os("\"coins\": "); oint(left);
				}
				oc('}'); T();
				if (variance)
					otext(variance < 0 ? "short – checked twice" : "excess, customer change?");
				else
					onull();
			}
			NL();
		}
		ids.recon++;
		if (g_emit == T_RECONCILIATIONS) {
			int pending = d == g_end;
			oint(ids.recon); T(); odate(d); T(); oint(ids.drawer); T();
			oint(expected); T(); oint(counted); T(); oint(tot.upi); T();
			oint(tot.card); T(); oint(tot.other); T(); oint(expenses); T();
			otext(jb.p); T();
			os(pending ? "pending" : variance < -20000 ? "disputed" : "reconciled"); T();
			if (pending) {
				onull(); T(); onull();
			} else {
				os(variance < -20000 ? "1" : "2"); T();
				ots(d, 21 * 3600 + 2700, 0);
			}
			T();
			if (variance < -20000)
				otext(RPICK(&rt, ((const char *const[]){ "owner to review CCTV", "कमी – कल देखेंगे", "miscount at handover" })));
			else
				onull();
			NL();
		}
	}

	/* The day's summary, as pushed at 21:45. */
	if (g_emit == T_DAY_SUMMARIES) {
		int64_t net = tot.gross - tot.discount - tot.refund_amount;
		int64_t cogs = tot.scogs + tot.pcogs;
		oint(k + 1); T(); odate(d); T(); oint(tot.bills); T(); oint(tot.refunds); T();
		oint(tot.gross); T(); oint(tot.discount); T(); oint(tot.refund_amount); T();
		oint(net); T(); oint(tot.cgst); T(); oint(tot.sgst); T();
		oint(tot.cgst + tot.sgst); T();
		oint(tot.cash_in - tot.cash_refund); T();
		oint(tot.digital_in - tot.digital_refund); T();
		oint(tot.scogs); T(); oint(tot.pcogs); T(); oint(cogs); T();
		oint(expenses); T(); oint(net - cogs); T(); oint(net - cogs - expenses); T();
		oint(tot.tips); T(); os(d == g_end ? "f" : "t"); T();
		otsr(&rp, d, 21 * 3600 + 2700); T();
		if (rchance(&rp, 30))
			ots(d + 1, 9 * 3600 + rrange(&rp, 60, 900), 0); /* startup catch-up */
		else
			ots(d, 21 * 3600 + 2700 + rrange(&rp, 1, 20), 0);
		NL();
	}

	/* Exports: the nightly backup, weekly bills, monthly GST returns. */
	{
		struct rng re = rng_for(K_DAY, 1000000000ULL + (uint64_t)d);
		int what[3], nw = 0, w;
		if (!closed)
			what[nw++] = 4;
		if (wd == 0)
			what[nw++] = 2;
		if (dd == 11)
			what[nw++] = 0;
		if (dd == 5)
			what[nw++] = 1;
		for (w = 0; w < nw; w++) {
			static const char *const type[] = { "gstr1", "tally_xml", "bills_csv", "customers_csv", "backup" };
			int failed = rchance(&re, 25);
			int64_t from = d, to = d, st = 22 * 3600 + rrange(&re, 0, 30);
			char fn[96], f1[11], f2[11];
			ids.export++;
			if (what[w] == 0 || what[w] == 1) {
				int y2 = y, m2 = m - 1;
				if (m2 == 0)
					m2 = 12, y2--;
				from = days_from_civil(y2, m2, 1);
				to = days_from_civil(y, m, 1) - 1;
				st = rrange(&re, 11 * 3600, 19 * 3600);
			} else if (what[w] == 2) {
				from = d - 7;
				to = d - 1;
				st = rrange(&re, 10 * 3600, 11 * 3600);
			}
			if (g_emit != T_EXPORT_LOGS)
				continue;
			fmt_date(f1, from);
			fmt_date(f2, to);
			if (what[w] == 4)
				snprintf(fn, sizeof(fn), "salon_backup_%.4s%.2s%.2s_220005.dump", f1, f1 + 5, f1 + 8);
			else
				snprintf(fn, sizeof(fn), "%s_%s_%s.%s", type[what[w]], f1, f2,
				    what[w] == 1 ? "xml" : what[w] == 0 ? "json" : "csv");
			oint(ids.export); T(); os(type[what[w]]); T(); odate(from); T(); odate(to); T();
			if (what[w] == 4) onull(); else oint(what[w] == 2 ? desk : 1);
			T(); os(fn); T();
			if (failed) {
				onull(); T(); onull(); T(); os("failed"); T();
				otext(RPICK(&re, ((const char *const[]){
				    "pg_dump: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory",
				    "upload failed: 503 Slow Down",
				    "OSError: [Errno 28] No space left on device",
				    "GSTN portal timeout after 120 s" })));
				T(); otsr(&re, d, st); T();
				otsr(&re, d, st + rrange(&re, 1, 120));
			} else {
				oint(rrange(&re, 10, 5000) * (what[w] == 4 ? 0 : 1)); T();
				oint(rrange(&re, 20000, 90000000)); T(); os("done"); T(); onull(); T();
				otsr(&re, d, st); T();
				otsr(&re, d, st + rrange(&re, 1, 400));
			}
			NL();
		}
	}
}

static void
emit_transactional(enum table t)
{
	int64_t d;

	g_emit = t;
	memset(&ids, 0, sizeof(ids));
	memset(carry, 0, sizeof(*carry) * (size_t)g_days);
	copy_begin(t);
	for (d = g_start; d <= g_end; d++)
		simulate_day(d);
	copy_end();
}

/* ------------------------------------------------------------------- main */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: salon-gen [--scale N] [--seed N] [--days N] [--end YYYY-MM-DD]\n"
	    "Writes deterministic data for salon-schema.sql as a psql script of\n"
	    "COPY blocks.  Scale 1 is one salon for a year (~40 bills a day,\n"
	    "~50 MB in PostgreSQL); scale 25 makes ~1 GB.\n"
	    "  -s, --scale N   size factor, a decimal > 0 (default 1)\n"
	    "  -S, --seed N    random seed (default 1)\n"
	    "  -d, --days N    business days simulated (default 365)\n"
	    "  -e, --end DATE  the last business day (default 2026-02-16)\n"
	    "  -h, --help      this help\n"
	    "      --version   the version\n"
	    "Example: psql -f salon-schema.sql db && salon-gen -s 2 | psql -q db\n"
	    "(salon-load.sh does both in one transaction; see strongbox(7))\n");
}

static int64_t
parse_date(const char *s)
{
	int y, m, d;
	char extra;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31 || y < 1900 || y > 9999)
		die_usage("bad date: %s (want YYYY-MM-DD)", s);
	return days_from_civil(y, m, d);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "end", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "scale", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c, t;

	err_init(argv[0]);
	g_end = days_from_civil(2026, 2, 16);
	while ((c = getopt_long(argc, argv, "d:e:hs:S:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			g_days = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || g_days < 1 || g_days > 36600)
				die_usage("bad --days: %s", optarg);
			break;
		case 'e':
			g_end = parse_date(optarg);
			break;
		case 'h':
			usage(stdout);
			finish_stdout();
			return EXIT_OK;
		case 's':
			g_scale = strtod(optarg, &end);
			if (*end || end == optarg || !(g_scale > 0) || g_scale > 100000)
				die_usage("bad --scale: %s (want a number > 0)", optarg);
			break;
		case 'S':
			g_seed = strtoull(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-')
				die_usage("bad --seed: %s", optarg);
			break;
		case 'V':
			print_version();
		default:
			die_usage("unknown option");
		}
	}
	if (optind != argc)
		die_usage("unexpected operand: %s", argv[optind]);

	g_start = g_end - g_days + 1;
	n_users = 5 + (int)(9 * g_scale + 0.5);
	if (n_users < 8)
		n_users = 8;
	n_customers = (int)(2500 * g_scale + 0.5);
	if (n_customers < 30)
		n_customers = 30;
	n_cust_before = n_customers * 2 / 5;
	n_suppliers = 6 + (int)(4 * g_scale + 0.5);
	if (n_suppliers > 9999)
		n_suppliers = 9999;
	n_skus = 60 + (int)(40 * g_scale + 0.5);
	desk_lo = 3;
	desk_hi = 3 + n_users / 6;
	staff_lo = desk_hi + 1;
	staff_hi = n_users;
	carry = xcalloc((size_t)g_days, sizeof(*carry));

	os("-- salon-gen: data for salon-schema.sql (seed ");
	oint((int64_t)g_seed);
	os(", days ");
	oint(g_days);
	os(")\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n");
	for (t = 0; t < T_COUNT; t++) {
		if (t == T_CUSTOMERS)
			emit_customers();
		else if (t < T_APPOINTMENTS)
			emit_master((enum table)t);
		else
			emit_transactional((enum table)t);
	}
	/* Identity and serial sequences continue after the loaded ids. */
	os("DO $$\nBEGIN\n");
	for (t = 0; t < T_COUNT; t++) {
		if (!tables[t].seq_col)
			continue;
		os("\tPERFORM setval(pg_get_serial_sequence('public.");
		os(tables[t].name);
		os("', '");
		os(tables[t].seq_col);
		os("'), (SELECT coalesce(max(");
		os(tables[t].seq_col);
		os("), 0) + 1 FROM public.");
		os(tables[t].name);
		os("), false);\n");
	}
	os("\tPERFORM setval('public.bill_invoice_seq', (SELECT count(*) + 1 FROM public.bills), false);\n");
	os("END\n$$;\n");
	oflush();
	free(carry);
	free(jb.p);
	free(tb.p);
	finish_stdout();
	return EXIT_OK;
}
