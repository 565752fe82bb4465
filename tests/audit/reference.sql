-- reference.sql -- the audit of a run against the payment roll, by hand:
-- an independent count, in plain SQL, of what `huimin audit` is to find.
-- The results database (a run with --reasons --store all) is `main`; the
-- city's enrolment.db is attached as `roll`, its registry.db as `reg`.
-- Rows: category|policy|count.  The categories overlap: a deceased person
-- still paid is also counted by the status of their decision.

-- paid to a person the registry records as deceased
SELECT 'deceased_paid', x.policy, count(*)
FROM roll.enrolment x JOIN reg.person p ON p.person_id = x.entity_id
WHERE p.deceased = 1
GROUP BY x.policy;

-- 漏保: eligible, not paid (the programmes the roll pays)
SELECT 'eligible_not_paid', d.policy, count(*)
FROM decisions d
WHERE d.run_id = 1 AND d.status = 'eligible'
  AND d.policy IN (SELECT DISTINCT policy FROM roll.enrolment)
  AND NOT EXISTS (SELECT 1 FROM roll.enrolment x WHERE x.policy = d.policy AND x.entity_id = d.entity_id)
GROUP BY d.policy;

-- 错保: paid, not eligible
SELECT 'paid_not_eligible', x.policy, count(*)
FROM roll.enrolment x
JOIN decisions d ON d.run_id = 1 AND d.policy = x.policy AND d.entity_id = x.entity_id
WHERE d.status = 'not_eligible'
GROUP BY x.policy;

-- paid while undetermined
SELECT 'paid_undetermined', x.policy, count(*)
FROM roll.enrolment x
JOIN decisions d ON d.run_id = 1 AND d.policy = x.policy AND d.entity_id = x.entity_id
WHERE d.status = 'undetermined'
GROUP BY x.policy;

-- paid a different amount: the roll pays per month; a yearly amount is
-- compared as its twelfth, rounded half away from zero (lump sums are not
-- compared)
SELECT 'paid_different_amount', x.policy, count(*)
FROM roll.enrolment x
JOIN decisions d ON d.run_id = 1 AND d.policy = x.policy AND d.entity_id = x.entity_id
WHERE d.status = 'eligible' AND d.amount_period IN ('month', 'year')
  AND x.monthly_amount_fen IS NOT
      CASE d.amount_period WHEN 'month' THEN d.amount_fen ELSE (d.amount_fen * 2 + 12) / 24 END
GROUP BY x.policy;

-- paid and no decision at all (an id the population does not have)
SELECT 'paid_unknown_entity', x.policy, count(*)
FROM roll.enrolment x
WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = 1 AND d.policy = x.policy AND d.entity_id = x.entity_id)
GROUP BY x.policy;
