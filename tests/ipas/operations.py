"""The IPA operations, as a client writes them."""

ERRORS = "userErrors { field message code }"
IPA_FIELDS = """
id status terms contentHash enabledAt signedAt printUrl
referral { id reference summary documents { id } }
documents { id name kind }
signatures { party signedAt contentHash signedBy { id name } onBehalfOf { id name } }
"""

GENERATE = f"""
mutation ($id: ID!) {{ generateIpa(input: {{id: $id}}) {{ ipa {{ {IPA_FIELDS} }} {ERRORS} }} }}
"""
UPDATE_DRAFT = f"""
mutation ($input: UpdateIpaDraftInput!) {{
  updateIpaDraft(input: $input) {{ ipa {{ {IPA_FIELDS} }} {ERRORS} }}
}}"""
ENABLE = f"""
mutation ($id: ID!) {{ enableIpaForSigning(input: {{id: $id}}) {{ ipa {{ {IPA_FIELDS} }} {ERRORS} }} }}
"""
SIGN = f"""
mutation ($id: ID!, $onBehalfOf: ID) {{
  signIpa(input: {{id: $id, onBehalfOfUserId: $onBehalfOf}}) {{ ipa {{ {IPA_FIELDS} }} {ERRORS} }}
}}"""
IPAS = f"""
query ($status: IpaStatus) {{ ipas(status: $status) {{ {IPA_FIELDS} }} }}
"""
NODE = """
query ($id: ID!) { node(id: $id) { ... on IndividualPlacementAgreement { id status } } }
"""
REFERRAL_IPA = """
query ($id: ID!) { node(id: $id) { ... on Referral { id ipa { id status } } } }
"""
REFERRALS = "query { referrals { totalCount edges { node { id } } } }"
GRANT = f"""
mutation ($userId: ID!) {{ grantSigningAuthority(input: {{userId: $userId}}) {{ {ERRORS} }} }}
"""
REVOKE = f"""
mutation ($userId: ID!) {{ revokeSigningAuthority(input: {{userId: $userId}}) {{ {ERRORS} }} }}
"""
