/*
 * forensics-out.h - private to `invigil review forensics`: what the
 * command (cmd-forensics.c) hands to its printer (forensics-out.c).
 */
#ifndef INVIGIL_FORENSICS_OUT_H
#define INVIGIL_FORENSICS_OUT_H

#include "console/out.h"
#include "forensics/forensics.h"
#include "store/store.h"

/* The formats are the writer's (console/out.h). */
#define FX_TABLE	OUT_TABLE
#define FX_CSV		OUT_CSV
#define FX_JSONL	OUT_JSONL

/* One run of the command: its inputs, the data and the report. */
struct review_fx {
	enum out_format			 format;
	const char			*db;
	struct store_answers		 ans;
	struct forensics_data		 data;
	struct forensics_report		 rep;
	unsigned char			*compromised;
	int				*form, *center, *date;
	uint32_t			*ip24;
	int64_t				*device, *start;
	const char			**form_name;	/* [form index] */
	const char			**center_name;	/* [centre key - 1] */
	int				 n_unknown_ids;
};

/*
 * Read the answers of exam and form (NULL: all) from fx->db, read the
 * compromised-item file (may be NULL) and run the analysis at alpha into
 * fx->rep.  0; 1 when there are no answers to analyse (nothing printed);
 * -1 when a read or the analysis failed, said on stderr after "who: ".
 * Free fx with review_fx_free, whatever it returned.  (Also for `review
 * report`, cmd-report.c.)
 */
int	review_fx_load(struct review_fx *, const char *who, const char *exam,
	    const char *form, const char *compromised, double alpha);
void	review_fx_free(struct review_fx *);

/* The table header: what was analysed, how, and what a p-value means. */
void	review_fx_header(const struct review_fx *, const char *exam,
	    const char *form);
/* The attempts ranked by combined_p, or with items / pairs set, the item
 * table / the pairs and clusters, in fx->format. */
void	review_fx_print(const struct review_fx *, int items, int pairs);

#endif /* INVIGIL_FORENSICS_OUT_H */
