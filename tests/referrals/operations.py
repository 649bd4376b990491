"""The referral operations, as a client writes them."""

CREATE = """
mutation ($input: CreateReferralInput!) {
  createReferral(input: $input) {
    referral { id reference status version category urgency children { age gender needs } summary details }
    userErrors { field message code }
  }
}"""
UPDATE = """
mutation ($input: UpdateReferralInput!) {
  updateReferral(input: $input) { referral { id version summary children { age gender } } userErrors { field message code } }
}"""
SEND = """
mutation ($id: ID!) {
  sendReferral(input: {id: $id}) { deliveredCount referral { status sentAt } userErrors { field message code } }
}"""
WITHDRAW = """
mutation ($id: ID!, $reason: String!) {
  withdrawReferral(input: {id: $id, reason: $reason}) { referral { status } userErrors { field message code } }
}"""
DECLINE = """
mutation ($id: ID!, $reason: String!) {
  declineReferral(input: {id: $id, reason: $reason}) { referral { id myDelivery { status declineReason } } userErrors { field message code } }
}"""
REFERRALS = """
query ($first: Int, $after: String, $status: ReferralStatus, $category: CareCategory) {
  referrals(first: $first, after: $after, status: $status, category: $category) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id reference summary version myDelivery { status version provider { name } } deliveries { provider { id } version status } } }
  }
}"""
NODE = """
query ($id: ID!) { node(id: $id) { ... on Referral { id reference summary version deliveries { provider { id } } myDelivery { version } } } }
"""
SETTINGS = """
mutation ($category: CareCategory!, $settings: JSON!) {
  updateCategorySettings(input: {category: $category, settings: $settings}) { category { category settings } userErrors { field message code } }
}"""


def referral_input(category: str = "RESIDENTIAL", children=None, **extra):
    return {
        "input": {
            "category": category,
            "children": children
            or [{"age": 14, "gender": "FEMALE", "needs": "Needs a calm home near school"}],
            "summary": "14-year-old girl needs a residential placement close to Birmingham.",
            "urgency": "WITHIN_5_DAYS",
            **extra,
        }
    }
