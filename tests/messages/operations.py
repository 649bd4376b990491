"""The message operations, as a client writes them."""

from __future__ import annotations

from typing import Any

CREATE_REFERRAL = """
mutation {
  createReferral(input: {category: RESIDENTIAL, children: [{age: 14, gender: FEMALE}],
                         summary: "14-year-old girl needs a residential placement."}) {
    referral { id } userErrors { field message code }
  }
}"""
SEND_REFERRAL = """
mutation ($id: ID!) { sendReferral(input: {id: $id}) { deliveredCount userErrors { field message code } } }
"""
SEND = """
mutation ($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message { id body sentAt isNew author { id name } documents { id name } }
    userErrors { field message code }
  }
}"""
MARK_READ = """
mutation ($threadId: ID!) {
  markThreadRead(input: {threadId: $threadId}) {
    thread { id newCount messages { isNew } }
    userErrors { field message code }
  }
}"""
THREAD = """
query ($id: ID!, $providerId: ID) {
  node(id: $id) {
    ... on Referral {
      thread(providerId: $providerId) {
        id newCount
        referral { id }
        provider { id name }
        messages { id body sentAt isNew author { id name } documents { id name downloadUrl } }
      }
    }
  }
}"""
NODE = """
query ($id: ID!) {
  node(id: $id) {
    id
    ... on MessageThread { newCount messages { body } }
    ... on Message { body isNew }
  }
}"""


def message(referral_id: str, body: str = "Could she start school here in May?", **extra: Any):
    return {"input": {"referralId": referral_id, "body": body, **extra}}
