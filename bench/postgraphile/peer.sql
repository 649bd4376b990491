-- What PostGraphile needs beside the portal's tables (bench/provider_referrals.py runs it on
-- the bench's own database): the provider's deliveries, newest referral first, for the
-- provider the request's session names (server.js looks it up and sets portal.provider_id),
-- and the delivery -> delivered version relation, which has no foreign key in the portal's
-- schema, as a smart comment.
CREATE SCHEMA IF NOT EXISTS peer;

CREATE OR REPLACE FUNCTION peer.provider_deliveries() RETURNS SETOF public.referral_deliveries
LANGUAGE sql STABLE AS $$
  SELECT d.* FROM public.referral_deliveries d
  JOIN public.referrals r ON r.id = d.referral_id
  WHERE d.provider_id = nullif(current_setting('portal.provider_id', true), '')::uuid
  ORDER BY r.created_at DESC, r.id DESC
$$;

-- The fields the portal's list shows of the delivered content, as computed columns (PostGraphile
-- v4 finds these only in the schema of their table).
CREATE OR REPLACE FUNCTION public.referral_versions_urgency(v public.referral_versions)
RETURNS text LANGUAGE sql STABLE AS $$ SELECT v.content ->> 'urgency' $$;

CREATE OR REPLACE FUNCTION public.referral_versions_summary(v public.referral_versions)
RETURNS text LANGUAGE sql STABLE AS $$ SELECT v.content ->> 'summary' $$;

CREATE OR REPLACE FUNCTION public.referral_versions_children(v public.referral_versions)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('age', c -> 'age', 'gender', c -> 'gender')), '[]')
  FROM jsonb_array_elements(v.content -> 'children') AS c
$$;

COMMENT ON TABLE public.referral_deliveries IS
  E'@foreignKey (referral_id, version) references public.referral_versions (referral_id, version)';
