"""The way in: LimeSurvey (RemoteControl via citric), export files and paper cards, survey
structure (.lss), credentials, and the immutable, checksummed snapshots they are stored as."""
