// SPDX-License-Identifier: MIT
/*
 * qsort(3) takes a comparator without a context; a closure supplies one:
 * the same comparator sorts by any field, in either direction.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <trampfd.h>

struct city { const char *name; long people; int founded; };
struct order { size_t field; int dir; };	/* offset of a long or int field; 1 or -1 */

static long key(const struct city *c, size_t field)
{
	return field == offsetof(struct city, people) ? c->people : c->founded;
}

/* qsort's two arguments, then the context: TRAMPFD_CTX_ARG(2). */
static int by(const void *a, const void *b, void *ctx)
{
	const struct order *o = ctx;
	long x = key(a, o->field), y = key(b, o->field);

	return o->dir * ((x > y) - (x < y));
}

static int sorted(const struct city *c, size_t n, const struct order *o)
{
	for (size_t i = 1; i < n; i++)
		if (o->dir * (key(&c[i - 1], o->field) - key(&c[i], o->field)) > 0)
			return 0;
	return 1;
}

int main(void)
{
	struct city c[] = { { "Lyon", 522250, -43 }, { "Porto", 231800, -300 },
			    { "Graz", 291000, 1128 }, { "Turku", 201800, 1229 } };
	struct order orders[] = { { offsetof(struct city, people), -1 },
				  { offsetof(struct city, founded), 1 } };
	size_t n = sizeof(c) / sizeof(c[0]);

	for (int k = 0; k < 2; k++) {
		void *cmp;

		if (trampfd_closure_create(&cmp, (void *)by, &orders[k], TRAMPFD_CTX_ARG(2)) < 0)
			return 1;
		qsort(c, n, sizeof(c[0]), (int (*)(const void *, const void *))cmp);
		trampfd_closure_free(cmp);
		if (!sorted(c, n, &orders[k]))
			return 1;
		for (size_t i = 0; i < n; i++)
			printf("%s%s", c[i].name, i + 1 < n ? " " : "\n");
	}
	return 0;
}
