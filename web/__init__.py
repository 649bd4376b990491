"""The portal's web client: server-rendered GOV.UK pages that read and write only through
named GraphQL operations run by the portal's own schema (see ``web/README.md``)."""
