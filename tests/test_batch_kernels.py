"""The warm kernel's client is ready once the kernel is heard on iopub — and a status lost to a subscription
that was not yet live is asked for again, never taken for readiness (outputs of the first cell would be lost)."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from reportkit.batch.kernels import iopub_subscribed


class _Channel:
    def __init__(self):
        self.messages: list[dict] = []

    async def get_msg(self, timeout=None):
        if self.messages:
            return self.messages.pop(0)
        await asyncio.sleep(min(timeout or 0, 0.01))
        raise Empty


class FakeClient:
    """A kernel client whose kernel answers every kernel-info request on shell; iopub hears the status of the
    requests whose number is in ``heard`` (the others were published before the subscription was live)."""

    def __init__(self, heard: set[int], answers: bool = True):
        self.shell, self.iopub = _Channel(), _Channel()
        self.shell_channel, self.iopub_channel = self.shell, self.iopub
        self.heard, self.answers, self.asked = heard, answers, 0

    def kernel_info(self) -> str:
        self.asked += 1
        msg_id = f"info-{self.asked}"
        if self.answers:
            self.shell.messages.append({"parent_header": {"msg_id": msg_id}, "msg_type": "kernel_info_reply"})
        if self.asked in self.heard:
            status = {"msg_type": "status", "parent_header": {"msg_id": msg_id}}
            self.iopub.messages += [
                {**status, "content": {"execution_state": "busy"}},
                {"msg_type": "stream", "parent_header": {"msg_id": "reset"}, "content": {}},
                {**status, "content": {"execution_state": "idle"}},
            ]
        return msg_id


def test_ready_at_the_first_idle_status_heard():
    client = FakeClient(heard={1})
    asyncio.run(iopub_subscribed(client, timeout=5))
    assert client.asked == 1


def test_a_status_lost_before_the_subscription_is_asked_for_again():
    client = FakeClient(heard={3})  # the first two requests' statuses were never delivered
    asyncio.run(iopub_subscribed(client, timeout=5))
    assert client.asked == 3


def test_a_silent_output_channel_is_a_timeout_not_readiness():
    client = FakeClient(heard=set())
    with pytest.raises(TimeoutError, match="output channel"):
        asyncio.run(iopub_subscribed(client, timeout=0.3))


def test_a_kernel_that_answered_is_not_called_silent_when_time_runs_out_between_requests(monkeypatch):
    """The deadline falling just after an unheard status, before the next request's reply: the kernel did answer,
    its output channel did not (this once depended on the machine's load)."""
    import itertools
    import types

    from reportkit.batch import kernels

    moments = itertools.chain([0.0, 0.1, 0.15, 0.2, 0.29, 0.31], itertools.count(0.32, 0.01))
    monkeypatch.setattr(kernels, "time", types.SimpleNamespace(monotonic=lambda: next(moments)))
    client = FakeClient(heard=set())
    with pytest.raises(TimeoutError, match="output channel"):
        asyncio.run(iopub_subscribed(client, timeout=0.3))


def test_a_kernel_that_never_answers_is_a_timeout():
    client = FakeClient(heard=set(), answers=False)
    with pytest.raises(TimeoutError, match="did not answer"):
        asyncio.run(iopub_subscribed(client, timeout=0.3))


def test_a_kernel_that_died_is_a_dead_kernel_at_once():
    from nbclient.exceptions import DeadKernelError

    client = FakeClient(heard=set(), answers=False)
    with pytest.raises(DeadKernelError):
        asyncio.run(iopub_subscribed(client, timeout=60, alive=lambda: False))
