from django.apps import AppConfig


class CandidateConfig(AppConfig):
    name = "prereg.candidate"
    label = "candidate"
